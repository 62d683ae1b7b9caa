// SPDX-License-Identifier: MIT
// nn/compat.hpp and the forwarding headers: the paths and names of 0.2 keep
// working for one release, as the same functions and types as the new ones.
#include <doctest/doctest.h>

#include <type_traits>

#include "autograd/nn/checkpoint.hpp"
#include "autograd/nn/optim.hpp"
#include "autograd/nn/recurrent.hpp"
#include "autograd/nn/safetensors.hpp"
#include "autograd/nn/scheduler.hpp"

using namespace ag;

namespace {
template <class F>
bool same(F* a, F* b) {
  return a == b;
}
}  // namespace

TEST_CASE("compat: the old include paths and names are the new ones") {
  CHECK(std::is_same_v<nn::NamedTensors, nn::StateDict>);
  CHECK(std::is_same_v<optim::StateDict, nn::StateDict>);
  CHECK(same(&nn::save_checkpoint, &io::save_checkpoint));
  CHECK(same(&nn::load_checkpoint, &io::load_checkpoint));
  CHECK(same(&nn::restore_checkpoint, &io::restore_checkpoint));
  CHECK(same(&nn::save_tensors, &io::save_tensors));
  CHECK(same(&nn::load_tensors, &io::load_tensors));
  CHECK(same(&nn::parse_tensors, &io::parse_tensors));
  CHECK(same(&nn::save_safetensors, &io::save_safetensors));
  CHECK(same(&nn::load_safetensors, &io::load_safetensors));
  CHECK(same(&nn::parse_safetensors, &io::parse_safetensors));
  CHECK(same(&nn::safetensors_metadata, &io::safetensors_metadata));
  // What the old headers declared is there: an optimizer, a schedule, a cell.
  nn::LSTMCell cell(2, 3);
  optim::Adam adam(cell.parameters());
  optim::StepLR schedule(adam, 1);
  CHECK(schedule.lr() == doctest::Approx(1e-3));
}

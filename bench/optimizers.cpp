// SPDX-License-Identifier: MIT
// One step of every dense optimizer on P3's parameter count (535,818
// float32) at one thread, against the memory-streaming floor measured in the
// same run: the same bytes (parameter, gradient and state, each read and
// written as the update does) through a plain loop.
// Usage: optimizers [ROUNDS]; prints "optim-<name> <median us> (<min>-<max>)".
#include <fmt/format.h>

#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "autograd/nn/nn.hpp"
#include "bench_util.hpp"

namespace {
constexpr std::int64_t kParams = 535'818;  // P3's MLP

struct Case {
  std::string name;
  int state_buffers;  // tensors of the parameter's size read and written besides w
  std::function<std::unique_ptr<ag::optim::Optimizer>(std::vector<ag::Tensor>)> make;
};

// Streams `arrays` float arrays of n elements, each read and written once
// (one read for the gradient): what an update with that much state moves.
double stream_floor_us(int rounds, int arrays) {
  std::vector<std::vector<float>> data(static_cast<std::size_t>(arrays) + 1,
                                       std::vector<float>(kParams, 1.0f));
  const bench::Stats s = bench::time_runs(rounds, [&] {
    const float* g = data.back().data();
    for (int a = 0; a < arrays; ++a) {
      float* __restrict x = data[a].data();
      for (std::int64_t k = 0; k < kParams; ++k) x[k] = x[k] * 0.999f + g[k];
    }
  });
  return s.median * 1e6;
}
}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 21;
  ag::set_num_threads(1);
  using namespace ag::optim;
  const std::vector<Case> cases = {
      {"sgd-momentum", 1,
       [](auto p) { return std::make_unique<SGD>(std::move(p), SGDOptions{.momentum = 0.9}); }},
      {"rmsprop", 1, [](auto p) { return std::make_unique<RMSprop>(std::move(p)); }},
      {"adam", 2, [](auto p) { return std::make_unique<Adam>(std::move(p)); }},
      {"adamw", 2, [](auto p) { return std::make_unique<AdamW>(std::move(p)); }},
      {"adagrad", 1, [](auto p) { return std::make_unique<Adagrad>(std::move(p)); }},
      {"adadelta", 2, [](auto p) { return std::make_unique<Adadelta>(std::move(p)); }},
      {"nadam", 2, [](auto p) { return std::make_unique<NAdam>(std::move(p)); }},
      {"radam", 2, [](auto p) { return std::make_unique<RAdam>(std::move(p)); }},
      {"adamax", 2, [](auto p) { return std::make_unique<Adamax>(std::move(p)); }},
  };
  ag::Generator gen(3);
  for (const Case& c : cases) {
    ag::Tensor w = ag::randn({kParams}, gen).requires_grad_();
    w.set_grad(ag::randn({kParams}, gen) * 1e-3);
    auto opt = c.make({w});
    for (int warm = 0; warm < 3; ++warm) opt->step();  // state made, pages written
    const bench::Stats s = bench::time_runs(rounds, [&] { opt->step(); });
    const double floor = stream_floor_us(rounds, c.state_buffers + 1);
    fmt::print("optim-{} {:.1f} ({:.1f}-{:.1f}) us, {:.2f}x the {:.1f} us stream of its bytes\n",
               c.name, s.median * 1e6, s.min * 1e6, s.max * 1e6, s.median * 1e6 / floor, floor);
  }
}

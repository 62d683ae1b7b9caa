// SPDX-License-Identifier: MIT
// nn/init.cpp: the initialisers.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>

#include "autograd/nn/nn.hpp"

using namespace ag;
using Args = std::vector<Tensor>;

TEST_CASE("init: initialisers have the stated spread") {
  Generator gen(11);
  Tensor w = zeros({200, 300}, DType::float64);
  auto stddev = [&] {
    double s = 0;
    for (double v : w.to_vector()) s += v * v;
    return std::sqrt(s / static_cast<double>(w.numel()));
  };
  nn::init::xavier_normal_(w, 1.0, gen);
  CHECK(stddev() == doctest::Approx(std::sqrt(2.0 / 500)).epsilon(0.02));
  nn::init::kaiming_normal_(w, 0.0, "fan_in", "relu", gen);
  CHECK(stddev() == doctest::Approx(std::sqrt(2.0 / 300)).epsilon(0.02));
  nn::init::xavier_uniform_(w, 1.0, gen);
  CHECK(stddev() == doctest::Approx(std::sqrt(6.0 / 500) / std::sqrt(3.0)).epsilon(0.02));
  nn::init::kaiming_uniform_(w, std::sqrt(5.0), "fan_in", "leaky_relu", gen);
  for (double v : w.to_vector()) CHECK(std::fabs(v) <= 1.0 / std::sqrt(300.0) + 1e-12);
  nn::init::constant_(w, 0.25);
  CHECK(w.at({7, 9}) == 0.25);
  CHECK(nn::init::calculate_gain("tanh") == doctest::Approx(5.0 / 3.0));
}

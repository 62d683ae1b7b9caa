// SPDX-License-Identifier: MIT
#include "autograd/generator.hpp"

#include <cmath>
#include <numbers>

namespace ag {

void Generator::manual_seed(std::uint64_t seed) {
  state_ = 0;
  has_spare_ = false;
  next_u32();
  state_ += seed;
  next_u32();
}

double Generator::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u1 = uniform();
  while (u1 <= 0.0) u1 = uniform();
  const double u2 = uniform();
  const double radius = std::sqrt(-2.0 * std::log(u1));
  spare_ = radius * std::sin(2.0 * std::numbers::pi * u2);
  has_spare_ = true;
  return radius * std::cos(2.0 * std::numbers::pi * u2);
}

Generator& default_generator() {
  thread_local Generator generator;
  return generator;
}

void manual_seed(std::uint64_t seed) { default_generator().manual_seed(seed); }

}  // namespace ag

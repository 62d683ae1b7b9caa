// SPDX-License-Identifier: MIT
// What the op tests share: random float64 inputs and the gradient check.
#pragma once

#include <doctest/doctest.h>

#include <cmath>

#include "autograd/autograd.hpp"

using namespace ag;
using Args = std::vector<Tensor>;

namespace test {
inline Generator& gen() {
  static Generator g(7);
  return g;
}
}  // namespace test

/// Uniform float64 on [low, high) of `shape`, requiring a gradient.
inline Tensor input(const Shape& shape, double low = -2.0, double high = 2.0) {
  return rand(shape, test::gen(), DType::float64, low, high).requires_grad_();
}

/// f's first derivatives (vector-Jacobian products) at `inputs` match
/// central differences.
inline void check_first_order(const std::function<Tensor(const Args&)>& f, const Args& inputs) {
  const GradcheckResult result = gradcheck(f, inputs);
  INFO("gradcheck: ", result.worst);
  CHECK(result.ok);
}

/// f's first and second derivatives at `inputs` match central differences
/// (gradcheck and gradgradcheck): what every differentiable op must pass.
inline void check(const std::function<Tensor(const Args&)>& f, const Args& inputs) {
  check_first_order(f, inputs);
  const GradcheckResult second = gradgradcheck(f, inputs);
  INFO("gradgradcheck: ", second.worst);
  CHECK(second.ok);
}

// The broadcast patterns of the conformance data, and a few more.
inline const std::vector<std::pair<Shape, Shape>> kPatterns = {
    {{3, 4}, {3, 4}}, {{3, 4}, {4}}, {{3, 1}, {1, 4}},   {{}, {2, 3}},
    {{4}, {3, 4}},    {{}, {}},      {{2, 1, 3}, {4, 1}}};

// SPDX-License-Identifier: MIT
// Central finite differences for functions of Scalars, in double precision.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "autograd/scalar.hpp"

namespace testing {

using ScalarFn = std::function<ag::Scalar(const std::vector<ag::Scalar>&)>;

/// Checks every partial derivative of f at `point` against
/// (f(x+h) - f(x-h)) / 2h, to `tolerance` relative to max(1, |derivative|).
inline void check_gradient(const ScalarFn& f, const std::vector<double>& point,
                           double tolerance = 1e-6) {
  std::vector<ag::Scalar> inputs(point.begin(), point.end());
  ag::Scalar out = f(inputs);
  out.backward();
  for (std::size_t k = 0; k < point.size(); ++k) {
    const double h = 1e-6 * std::max(1.0, std::fabs(point[k]));
    auto shifted = [&](double delta) {
      std::vector<ag::Scalar> moved(point.begin(), point.end());
      moved[k] = ag::Scalar(point[k] + delta);
      return f(moved).value();
    };
    const double numeric = (shifted(h) - shifted(-h)) / (2 * h);
    CAPTURE(k);
    CAPTURE(point[k]);
    CHECK(std::fabs(inputs[k].grad() - numeric) <= tolerance * std::max(1.0, std::fabs(numeric)));
  }
}

}  // namespace testing

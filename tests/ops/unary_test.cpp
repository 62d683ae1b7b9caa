// SPDX-License-Identifier: MIT
// Tensor ops of ops/unary.cpp against central differences (gradcheck, float64)
// and their documented behaviour.
#include <numbers>

#include "check.hpp"

TEST_CASE("unary: unary functions") {
  const Tensor a = input({3, 4});
  const Tensor positive = input({3, 4}, 0.2, 3.0);
  check([](const Args& x) { return exp(x[0]); }, {a});
  check([](const Args& x) { return log(x[0]); }, {positive});
  check([](const Args& x) { return sqrt(x[0]); }, {positive});
  check([](const Args& x) { return tanh(x[0]); }, {a});
  check([](const Args& x) { return sigmoid(x[0]); }, {a});
  check([](const Args& x) { return relu(x[0]); }, {a});
  check([](const Args& x) { return abs(x[0]); }, {a});
  check([](const Args& x) { return leaky_relu(x[0], 0.1); }, {a});
  check([](const Args& x) { return gelu(x[0]); }, {a});
  check([](const Args& x) { return gelu(x[0], true); }, {a});
  check([](const Args& x) { return clamp(x[0], -0.5, 0.7); }, {a});
  check([](const Args& x) { return clamp(x[0], std::nullopt, 0.1); }, {a});
  for (double c : {2.0, 3.0, 0.5, -1.0, 2.5})
    check([c](const Args& x) { return pow(x[0], c); }, {positive});
}

TEST_CASE("unary: the exact GELU's second derivative keeps its phi term") {
  // gelu'' = phi(x) (2 - x^2); a Phi built without recording gave phi (1 - x^2).
  const Tensor x = Tensor::from({-1.5, -0.3, 0.0, 0.7, 2.0});
  const Tensor h = hessian([](const Tensor& v) { return sum(gelu(v)); }, x);
  for (std::int64_t i = 0; i < 5; ++i) {
    const double v = x.at({i});
    const double phi = std::exp(-v * v / 2) / std::sqrt(2 * std::numbers::pi);
    CHECK(h.at({i, i}) == doctest::Approx(phi * (2 - v * v)).epsilon(1e-12));
  }
  check([](const Args& v) { return erf(v[0]); }, {input({3, 4})});
}

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
  check([](const Args& x) { return rsqrt(x[0]); }, {positive});
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

TEST_CASE("unary: sin, cos, log1p, expm1, softplus, logsigmoid") {
  const Tensor a = input({3, 4}, -3.0, 3.0);
  check([](const Args& x) { return sin(x[0]); }, {a});
  check([](const Args& x) { return cos(x[0]); }, {a});
  check([](const Args& x) { return log1p(x[0]); }, {input({3, 4}, -0.8, 3.0)});
  check([](const Args& x) { return expm1(x[0]); }, {a});
  check([](const Args& x) { return softplus(x[0]); }, {a});
  check([](const Args& x) { return softplus(x[0], 2.0, 3.0); }, {a});  // some past the threshold
  check([](const Args& x) { return logsigmoid(x[0]); }, {a});
}

TEST_CASE("unary: the log-family stays exact near 0 and finite far out") {
  const Tensor tiny = Tensor::from({1e-12, -1e-12});
  CHECK(log1p(tiny).at({0}) == doctest::Approx(1e-12).epsilon(1e-12));
  CHECK(expm1(tiny).at({1}) == doctest::Approx(-1e-12).epsilon(1e-12));
  const Tensor far = Tensor::from({-1000.0, 1000.0}).requires_grad_();
  const Tensor ls = logsigmoid(far);
  CHECK(ls.at({0}) == -1000.0);
  CHECK(ls.at({1}) == 0.0);
  const Tensor sp = softplus(far);
  CHECK(sp.at({0}) == 0.0);
  CHECK(sp.at({1}) == 1000.0);
  sum(ls + sp).backward();
  for (double v : far.grad().to_vector()) CHECK(std::isfinite(v));
}

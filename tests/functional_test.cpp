// ag::grad, jacobian, hessian and gradcheck (functional.cpp).
#include "ops/check.hpp"

TEST_CASE("functional: second derivatives through create_graph") {
  // (x^2+1)^2: f' = 4x(x^2+1), f'' = 12x^2 + 4
  const Tensor x = Tensor::from({0.5, -1.5, 2.0}).requires_grad_();
  const Tensor f = sum(pow(x * x + 1.0, 2.0));
  const Tensor g = grad({f}, {x}, {}, true)[0];
  const Tensor h = grad({sum(g)}, {x})[0];
  for (int i = 0; i < 3; ++i) {
    const double v = x.at({i});
    CHECK(g.at({i}) == doctest::Approx(4 * v * (v * v + 1)));
    CHECK(h.at({i}) == doctest::Approx(12 * v * v + 4));
  }
  // sigmoid'' = s(1-s)(1-2s), tanh'' = -2t(1-t^2)
  const Tensor s = sigmoid(x), t = tanh(x);
  const Tensor hs = grad({sum(grad({sum(s)}, {x}, {}, true)[0])}, {x})[0];
  const Tensor ht = grad({sum(grad({sum(t)}, {x}, {}, true)[0])}, {x})[0];
  for (int i = 0; i < 3; ++i) {
    const double sv = s.at({i}), tv = t.at({i});
    CHECK(hs.at({i}) == doctest::Approx(sv * (1 - sv) * (1 - 2 * sv)));
    CHECK(ht.at({i}) == doctest::Approx(-2 * tv * (1 - tv * tv)));
  }
}

TEST_CASE("functional: hessian against finite differences of the gradient") {
  auto f = [](const Tensor& v) {
    const Tensor weights = Tensor::from({{1.0, -2.0}, {0.5, 3.0}});
    return sum(log_softmax(matmul(reshape(v, {2, 2}), reshape(v, {2, 2})), 1) * weights);
  };
  const Tensor x = Tensor::from({0.3, -0.7, 1.1, 0.4});
  const Tensor h = hessian(f, x);
  REQUIRE(h.shape() == Shape{4, 4});
  const double eps = 1e-6;
  for (int j = 0; j < 4; ++j) {
    std::vector<double> up = x.to_vector(), down = up;
    up[j] += eps;
    down[j] -= eps;
    const Tensor gu = jacobian(f, Tensor::from(up, {4}));
    const Tensor gd = jacobian(f, Tensor::from(down, {4}));
    for (int i = 0; i < 4; ++i) {
      const double numeric = (gu.at({i}) - gd.at({i})) / (2 * eps);
      CHECK(h.at({i, j}) == doctest::Approx(numeric).epsilon(1e-5));
    }
  }
}

TEST_CASE("functional: jacobian of an elementwise map is diagonal") {
  const Tensor j = jacobian([](const Tensor& v) { return exp(v); }, Tensor::from({0.0, 1.0}));
  CHECK(j.at({0, 0}) == doctest::Approx(1.0));
  CHECK(j.at({1, 1}) == doctest::Approx(std::exp(1.0)));
  CHECK(j.at({0, 1}) == 0.0);
}

TEST_CASE("functional: gradcheck catches a wrong derivative") {
  // relu'(0) = 0 by convention; the central difference there is half the slope.
  const GradcheckResult r =
      gradcheck([](const Args& x) { return relu(x[0]); }, {Tensor::from({0.0}).requires_grad_()});
  CHECK_FALSE(r.ok);
  CHECK(r.worst.find("input 0, element 0") != std::string::npos);
}

// SPDX-License-Identifier: MIT
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

TEST_CASE("functional: retain_graph defaults to create_graph, as in PyTorch") {
  const Tensor x = Tensor::from({0.5, -1.0}).requires_grad_();
  const Tensor y = sum(exp(x) * x);
  y.backward(Tensor(), std::nullopt, /*create_graph=*/true);  // keeps the graph
  const Tensor g = x.grad();                                  // (1 + x) e^x
  x.zero_grad();
  sum(g).backward();  // through exp's saved output: needs the kept graph
  for (std::int64_t i = 0; i < 2; ++i) {
    const double v = x.at({i});
    CHECK(x.grad().at({i}) == doctest::Approx((2 + v) * std::exp(v)));
  }
  x.zero_grad();
  // ag::grad: the same default, and an explicit retain_graph
  const Tensor z = sum(exp(x));
  grad({z}, {x}, {}, /*create_graph=*/false, /*retain_graph=*/true);
  CHECK(grad({z}, {x})[0].at({0}) == doctest::Approx(std::exp(0.5)));
  CHECK_THROWS_AS(grad({z}, {x}), GraphError);  // the last call freed it
}

TEST_CASE("functional: an unused input is an error unless allowed") {
  const Tensor x = Tensor::from({1.0, 2.0}).requires_grad_();
  const Tensor unused = Tensor::from({3.0}).requires_grad_();
  CHECK_THROWS_WITH(grad({sum(x * 2.0)}, {x, unused}), doctest::Contains("input 1"));
  const auto g = grad({sum(x * 2.0)}, {x, unused}, {}, false, std::nullopt, true);
  CHECK(g[0].to_vector() == std::vector<double>{2, 2});
  CHECK_FALSE(g[1].defined());
}

TEST_CASE("functional: vjp, jvp, hvp, and jacobian and hessian of several inputs") {
  const Tensor a = Tensor::from({1.0, -2.0, 0.5}), b = Tensor::from({3.0, 0.25, -1.0});
  const Tensor va = Tensor::from({0.1, 0.2, 0.3}), vb = Tensor::from({-1.0, 1.0, 2.0});
  const Function product = [](const Args& x) { return x[0] * x[1]; };
  const auto [out, vjps] = vjp(product, {a, b}, va);
  CHECK(out.to_vector() == (a * b).to_vector());
  CHECK(vjps[0].to_vector() == (va * b).to_vector());
  CHECK(vjps[1].to_vector() == (va * a).to_vector());
  const auto [out2, jv] = jvp(product, {a, b}, {va, vb});
  const auto want = (va * b + a * vb).to_vector();
  for (std::size_t i = 0; i < want.size(); ++i)
    CHECK(jv.to_vector()[i] == doctest::Approx(want[i]));
  const Function cubes = [](const Args& x) { return sum(x[0] * x[0] * x[0] * x[1]); };
  const auto [value, hv] = hvp(cubes, {a, b}, {va, vb});  // f = Σ a³b
  for (std::int64_t i = 0; i < 3; ++i) {
    const double ai = a.at({i}), bi = b.at({i});
    CHECK(hv[0].at({i}) == doctest::Approx(6 * ai * bi * va.at({i}) + 3 * ai * ai * vb.at({i})));
    CHECK(hv[1].at({i}) == doctest::Approx(3 * ai * ai * va.at({i})));
  }
  const auto j = jacobian(product, {a, b});
  REQUIRE(j.size() == 2);
  CHECK(j[0].shape() == Shape{3, 3});
  CHECK(j[0].at({1, 1}) == b.at({1}));
  CHECK(j[1].at({2, 2}) == a.at({2}));
  CHECK(j[0].at({0, 1}) == 0.0);
  const auto h = hessian(cubes, {a, b});
  CHECK(h[0][0].at({1, 1}) == doctest::Approx(6 * a.at({1}) * b.at({1})));
  CHECK(h[0][1].at({2, 2}) == doctest::Approx(3 * a.at({2}) * a.at({2})));
  CHECK(h[1][1].at({0, 0}) == 0.0);
  CHECK(h[0][0].at({0, 1}) == 0.0);
  CHECK_THROWS_AS(jvp(product, {a, b}, {va}), ValueError);
  CHECK_THROWS_AS(hvp(product, {a, b}, {va, vb}), ShapeError);
}

TEST_CASE("functional: backward's grad_output must match the root's dtype and shape") {
  const Tensor x = ones({2}).requires_grad_();
  const Tensor y = x * 2.0;
  CHECK_THROWS_AS(y.backward(ones({2}, DType::float64)), DTypeError);
  CHECK_THROWS_AS(y.backward(index_tensor({1, 1})), DTypeError);
  CHECK_THROWS_AS(y.backward(ones({3})), ShapeError);
}

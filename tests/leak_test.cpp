// SPDX-License-Identifier: MIT
// Builds and drops many graphs of every shape; run under valgrind by
// `meson test` (see tests/meson.build), which fails on any leaked byte.
#include <doctest/doctest.h>

#include <thread>

#include "autograd/autograd.hpp"

using ag::Scalar;

TEST_CASE("graphs of every shape are freed when their handles go") {
  for (int round = 0; round < 200; ++round) {
    Scalar w1(0.3, "w1"), w2(-0.2, "w2");
    Scalar x = round * 0.01;
    Scalar h = (w1 * x + w2).tanh().label("h");
    Scalar reused = h * h + h / (1.0 + h.abs());  // reuse and diamonds
    Scalar loss = (reused - 1.0).pow(2).label("loss");
    loss.backward();
    std::string dot = ag::to_dot(loss);
    CHECK(!dot.empty());
    loss.zero_grad();
  }
}

TEST_CASE("a long chain dropped from its root") {
  Scalar y = 1.0;
  for (int i = 0; i < 100'000; ++i) y = (y * 0.5 + 0.5).label("step");
  y.backward();
}

TEST_CASE("a graph kept alive only by an intermediate handle") {
  Scalar keep = 0.0;
  {
    Scalar a = 1.0, b = 2.0;
    Scalar c = a * b;
    keep = c.exp() + c;
  }
  keep.backward();
  CHECK(keep.value() > 0.0);
}

TEST_CASE("errors thrown mid-graph leak nothing") {
  Scalar inner = (Scalar(1.0) + 2.0).label("inner");
  CHECK_THROWS_AS(inner.set_value(0.0), ag::ValueError);
  CHECK_THROWS_AS(ag::render(inner, "x.gif"), ag::ValueError);
}

TEST_CASE("nodes made on a thread that has exited are freed by another") {
  Scalar made;
  std::thread([&] { made = (Scalar(2.0) * 3.0).exp(); }).join();
  made.backward();
  CHECK(made.value() > 0.0);
}

TEST_CASE("tensor graphs: backward, released graphs, higher order, errors") {
  using namespace ag;
  Generator gen(3);
  for (int round = 0; round < 20; ++round) {
    const Tensor w = randn({4, 3}, gen, DType::float64).requires_grad_();
    const Tensor x = randn({5, 4}, gen, DType::float64);
    const Tensor h = tanh(matmul(x, w));
    const Tensor joined = cat({h, h * 2.0, sigmoid(h)}, 1);
    const Tensor loss =
        mean(log_softmax(joined, 1)) + sum(index_select(h, 0, index_tensor({0, 0})));
    loss.backward(Tensor(), /*retain_graph=*/true);
    loss.backward();
    CHECK_THROWS_AS(loss.backward(), GraphError);  // thrown mid-traversal
    const Tensor g = grad({sum(pow(w, 3.0))}, {w}, {}, /*create_graph=*/true)[0];
    const Tensor gg = grad({sum(g)}, {w})[0];
    CHECK(gg.shape() == w.shape());
    CHECK(hessian([](const Tensor& v) { return sum(exp(v) * v); }, ones({3})).numel() == 9);
    Scalar s = sum(tanh(matmul(x, w))).to_scalar() * Scalar(2.0);
    s.backward();
    CHECK(ag::to_dot(s).find("float64 [5, 3]") != std::string::npos);
  }
}

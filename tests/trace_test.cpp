// SPDX-License-Identifier: MIT
// The backward trace: every factor of the chain rule, with its numbers.
#include <doctest/doctest.h>

#include <cmath>
#include <map>

#include "autograd/autograd.hpp"
#include "lecture.hpp"

using namespace ag;

TEST_CASE("on the 2-2-1 network the factors along each path multiply to the gradient") {
  lecture::Net221 net({{{0.1, 0.2}, {0.3, 0.4}}}, {0.5, 0.6});
  auto pass = lecture::forward(net, {1.0, 0.5}, 1.0);
  const auto steps = trace_backward(pass.L);
  REQUIRE(!steps.empty());
  // every step: contribution = upstream × local
  for (const auto& s : steps) CHECK(s.contribution == doctest::Approx(s.upstream * s.local));
  // the trace did the backward pass: the closed forms hold
  const auto closed = lecture::closed_form_grads(net, pass, {1.0, 0.5}, 1.0);
  CHECK(net.W[0][0].grad() == doctest::Approx(closed.dW[0][0]).epsilon(1e-12));
  // follow each weight's single path up to L, multiplying the local derivatives
  std::map<std::string, const TraceStep*> parent;  // input name → the step that feeds it
  for (const auto& s : steps) parent[s.input] = &s;
  for (const char* w : {"w11", "w12", "w21", "w22", "u1", "u2"}) {
    CAPTURE(w);
    double product = 1.0;
    std::string at = w;
    int hops = 0;
    while (parent.count(at)) {
      product *= parent[at]->local;
      at = parent[at]->node;
      ++hops;
    }
    CHECK(at == "L");
    CHECK(hops >= 4);
    const double grad =
        std::string(w)[0] == 'u' ? net.u[w[1] - '1'].grad() : net.W[w[1] - '1'][w[2] - '1'].grad();
    CHECK(product == doctest::Approx(grad).epsilon(1e-12));
  }
  // the lecture's named factors appear: dc/dv = c(1-c), dv/du_i = a_i
  const double c = pass.c.value();
  bool found_sigmoid = false;
  for (const auto& s : steps) {
    if (s.node == "c" && s.input == "v") {
      found_sigmoid = true;
      CHECK(s.local == doctest::Approx(c * (1 - c)));
      CHECK(s.upstream == doctest::Approx((c - 1.0) / (c * (1 - c))));  // dL/dc, y = 1
    }
  }
  CHECK(found_sigmoid);
  const std::string table = format_trace(steps);
  CHECK(table.find("d(node)/d(input)") != std::string::npos);
  CHECK(to_dot(pass.L, steps).find("label=\"×") != std::string::npos);
}

TEST_CASE("a value used twice: one step with both uses added") {
  Scalar x(3.0, "x");
  Scalar y = (x * x).label("y");
  const auto steps = trace_backward(y);
  REQUIRE(steps.size() == 1);
  CHECK(steps[0].local == 6.0);
  CHECK(x.grad() == 6.0);
}

TEST_CASE("tensor steps report the VJP's shape and norm") {
  const Tensor w = Tensor::from({{1.0, 2.0}, {3.0, 4.0}}).requires_grad_().label("W");
  const Tensor loss = sum(tanh(matmul(w, Tensor::from({{1.0}, {-1.0}})))).label("loss");
  const auto steps = trace_backward(loss);
  bool saw_w = false;
  for (const auto& s : steps) {
    CHECK(s.tensor);
    if (s.input == "W") {
      saw_w = true;
      CHECK(s.shape == Shape{2, 2});
      CHECK(s.contribution == doctest::Approx(std::sqrt(sum(w.grad() * w.grad()).item())));
    }
  }
  CHECK(saw_w);
  CHECK_THROWS_AS(trace_backward(w * 2.0), GraphError);
}

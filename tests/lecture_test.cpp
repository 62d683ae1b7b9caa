// SPDX-License-Identifier: MIT
// The lecture's worked examples, to the precision the slides print, and the
// 2-2-1 network's gradients against the closed forms for many random draws.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "lecture.hpp"

using ag::Scalar;

TEST_CASE("a single unit: z = 0.87, a = 0.705") {
  const auto unit = lecture::single_unit({0.5, 0.6, 0.1}, {0.2, 0.3, 0.9}, 0.5);
  CHECK(unit.z.value() == doctest::Approx(0.87).epsilon(1e-12));
  CHECK(std::round(unit.a.value() * 1000) / 1000 == 0.705);
}

TEST_CASE("chain rule: autograd equals the closed forms") {
  for (double x0 : {-2.0, -0.5, 0.3, 1.5}) {
    Scalar x = x0;
    lecture::square_of_square_plus_one(x).backward();
    CHECK(x.grad() == doctest::Approx(lecture::square_of_square_plus_one_derivative(x0)));
    for (double a : {0.5, 2.0, 7.0}) {
      Scalar y = std::fabs(x0);
      lecture::log_of_scaled(y, a).backward();
      CHECK(y.grad() == doctest::Approx(1.0 / std::fabs(x0)));
    }
  }
}

TEST_CASE("softmax of [2, -1.99, -0.01] is [0.868, 0.016, 0.116]") {
  std::vector<Scalar> z{2.0, -1.99, -0.01};
  const auto y = lecture::softmax(z);
  const double expected[] = {0.868, 0.016, 0.116};
  double total = 0;
  for (int i = 0; i < 3; ++i) {
    CHECK(std::round(y[i].value() * 1000) / 1000 == expected[i]);
    total += y[i].value();
  }
  CHECK(total == doctest::Approx(1.0));
}

TEST_CASE("softmax gradient: dy_k/dz_i = y_k (δ_ki - y_i), finite for large logits") {
  std::vector<Scalar> z{1000.0, -1000.0, 999.0};
  auto y = lecture::softmax(z);
  y[0].backward();
  CHECK(std::isfinite(y[0].value()));
  CHECK(z[0].grad() == doctest::Approx(y[0].value() * (1 - y[0].value())));
  CHECK(z[2].grad() == doctest::Approx(-y[0].value() * y[2].value()));
}

TEST_CASE("2-2-1 network with the default numbers") {
  lecture::Net221 net({{{0.1, 0.2}, {0.3, 0.4}}}, {0.5, 0.6});
  const lecture::Vec2 x{1.0, 0.5};
  auto pass = lecture::forward(net, x, 1.0);
  // z = W·x = [0.2, 0.5]
  CHECK(pass.z[0].value() == doctest::Approx(0.2).epsilon(1e-15));
  CHECK(pass.z[1].value() == doctest::Approx(0.5).epsilon(1e-15));
  CHECK(pass.a[0].value() == doctest::Approx(1 / (1 + std::exp(-0.2))).epsilon(1e-15));
  const double v = 0.5 / (1 + std::exp(-0.2)) + 0.6 / (1 + std::exp(-0.5));
  CHECK(pass.v.value() == doctest::Approx(v).epsilon(1e-15));
  CHECK(pass.L.value() == doctest::Approx(-std::log(1 / (1 + std::exp(-v)))).epsilon(1e-15));
  pass.L.backward();
  const auto closed = lecture::closed_form_grads(net, pass, x, 1.0);
  for (int i = 0; i < 2; ++i) {
    CHECK(std::fabs(net.u[i].grad() - closed.du[i]) <= 1e-12);
    for (int j = 0; j < 2; ++j) CHECK(std::fabs(net.W[i][j].grad() - closed.dW[i][j]) <= 1e-12);
  }
}

TEST_CASE("2-2-1 gradients equal the closed forms to 1e-12 for many random draws") {
  std::mt19937_64 rng(20261125);
  std::uniform_real_distribution<double> weight(-3.0, 3.0), input(-2.0, 2.0);
  std::bernoulli_distribution label(0.5);
  for (int draw = 0; draw < 1000; ++draw) {
    lecture::Net221 net({{{weight(rng), weight(rng)}, {weight(rng), weight(rng)}}},
                        {weight(rng), weight(rng)});
    const lecture::Vec2 x{input(rng), input(rng)};
    const double y = label(rng) ? 1.0 : 0.0;
    auto pass = lecture::forward(net, x, y);
    pass.L.backward();
    const auto closed = lecture::closed_form_grads(net, pass, x, y);
    CAPTURE(draw);
    for (int i = 0; i < 2; ++i) {
      CHECK(std::fabs(net.u[i].grad() - closed.du[i]) <= 1e-12);
      for (int j = 0; j < 2; ++j) CHECK(std::fabs(net.W[i][j].grad() - closed.dW[i][j]) <= 1e-12);
    }
  }
}

TEST_CASE("SGD steps on the 2-2-1 network lower the loss") {
  lecture::Net221 net({{{0.1, 0.2}, {0.3, 0.4}}}, {0.5, 0.6});
  const lecture::Vec2 x{1.0, 0.5};
  double previous = INFINITY;
  for (int step = 0; step < 20; ++step) {
    net.zero_grad();
    auto pass = lecture::forward(net, x, 1.0);
    CHECK(pass.L.value() < previous);
    previous = pass.L.value();
    pass.L.backward();
    const auto closed = lecture::closed_form_grads(net, pass, x, 1.0);
    CHECK(std::fabs(net.u[0].grad() - closed.du[0]) <= 1e-12);  // no stale gradient carried over
    net.sgd_step(0.1);
  }
}

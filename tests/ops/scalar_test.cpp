// SPDX-License-Identifier: MIT
// Every Scalar op (ops/scalar_arith.cpp, ops/scalar_unary.cpp): forward value,
// and gradient against central differences.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>

#include "../check_scalar.hpp"
#include "autograd/autograd.hpp"

using ag::Scalar;
using testing::check_gradient;
using V = std::vector<Scalar>;

TEST_CASE("scalar_arith: binary ops between Scalars match finite differences") {
  const std::vector<std::vector<double>> points{{0.3, -1.7}, {2.5, 0.4}, {-1.2, -3.3}, {7.0, 2.0}};
  for (const auto& p : points) {
    check_gradient([](const V& v) { return v[0] + v[1]; }, p);
    check_gradient([](const V& v) { return v[0] - v[1]; }, p);
    check_gradient([](const V& v) { return v[0] * v[1]; }, p);
    check_gradient([](const V& v) { return v[0] / v[1]; }, p);
  }
}

TEST_CASE("scalar_arith: ops with a plain number on either side match finite differences") {
  for (double x : {-2.1, -0.4, 0.7, 3.9}) {
    for (double c : {-1.5, 0.25, 3.0}) {
      CAPTURE(c);
      check_gradient([c](const V& v) { return v[0] + c; }, {x});
      check_gradient([c](const V& v) { return c + v[0]; }, {x});
      check_gradient([c](const V& v) { return v[0] - c; }, {x});
      check_gradient([c](const V& v) { return c - v[0]; }, {x});
      check_gradient([c](const V& v) { return v[0] * c; }, {x});
      check_gradient([c](const V& v) { return c * v[0]; }, {x});
      check_gradient([c](const V& v) { return v[0] / c; }, {x});
      check_gradient([c](const V& v) { return c / v[0]; }, {x});
    }
    check_gradient([](const V& v) { return -v[0]; }, {x});
  }
}

TEST_CASE("scalar_arith: forward values follow the plain-number semantics") {
  Scalar a = 6.0, b = 4.0;
  CHECK((a + b).value() == 10.0);
  CHECK((a - b).value() == 2.0);
  CHECK((a * b).value() == 24.0);
  CHECK((a / b).value() == 1.5);
  CHECK((-a).value() == -6.0);
  CHECK((a + 1).value() == 7.0);
  CHECK((1 + a).value() == 7.0);
  CHECK((a - 1).value() == 5.0);
  CHECK((1 - a).value() == -5.0);
  CHECK((a * 2).value() == 12.0);
  CHECK((2 * a).value() == 12.0);
  CHECK((a / 3).value() == 2.0);
  CHECK((3 / a).value() == 0.5);
  CHECK(a.pow(2).value() == 36.0);
  CHECK(Scalar(0.0).exp().value() == 1.0);
  CHECK(Scalar(1.0).log().value() == 0.0);
  CHECK(Scalar(-3.0).relu().value() == 0.0);
  CHECK(Scalar(-3.0).abs().value() == 3.0);
  CHECK(Scalar(0.0).sigmoid().value() == 0.5);
  CHECK(Scalar(0.0).tanh().value() == 0.0);
  CHECK(std::isnan(Scalar(NAN).relu().value()));
}

TEST_CASE("scalar_arith: compound assignment records nodes") {
  Scalar x = 2.0;
  Scalar y = x;
  y += x;
  y *= 3.0;
  y -= 1.0;
  y /= x;
  CHECK(y.value() == doctest::Approx(((2.0 + 2.0) * 3.0 - 1.0) / 2.0));
  y.backward();
  // y = (6x - 1)/x = 6 - 1/x, dy/dx = 1/x^2
  CHECK(x.grad() == doctest::Approx(0.25));
}

TEST_CASE("scalar_unary: unary functions match finite differences") {
  for (double x : {-2.3, -0.6, 0.4, 1.9}) {
    CAPTURE(x);
    check_gradient([](const V& v) { return v[0].exp(); }, {x});
    check_gradient([](const V& v) { return v[0].tanh(); }, {x});
    check_gradient([](const V& v) { return v[0].sigmoid(); }, {x});
    check_gradient([](const V& v) { return v[0].relu(); }, {x});
    check_gradient([](const V& v) { return v[0].abs(); }, {x});
    check_gradient([](const V& v) { return v[0].pow(2); }, {x});
    check_gradient([](const V& v) { return v[0].pow(3); }, {x});
    check_gradient([](const V& v) { return v[0].pow(-1); }, {x});
    check_gradient([](const V& v) { return v[0].abs().log(); }, {x});
    check_gradient([](const V& v) { return v[0].abs().pow(0.5); }, {x});
    check_gradient([](const V& v) { return v[0].abs().pow(2.5); }, {x});
  }
}

TEST_CASE("scalar_unary: free-function spellings are the same ops") {
  Scalar x = 0.3;
  CHECK(ag::exp(x).value() == x.exp().value());
  CHECK(ag::log(x).value() == x.log().value());
  CHECK(ag::tanh(x).value() == x.tanh().value());
  CHECK(ag::sigmoid(x).value() == x.sigmoid().value());
  CHECK(ag::relu(x).value() == x.relu().value());
  CHECK(ag::abs(x).value() == x.abs().value());
  CHECK(ag::pow(x, 3).value() == x.pow(3).value());
  CHECK(ag::exp(x).op_name() == "exp");
}

TEST_CASE("scalar_unary: kinks follow PyTorch") {
  Scalar x = 0.0;
  x.relu().backward();
  CHECK(x.grad() == 0.0);  // relu'(0) = 0
  Scalar y = 0.0;
  y.abs().backward();
  CHECK(y.grad() == 0.0);  // abs'(0) = sign(0) = 0
  Scalar z = 0.0;
  z.pow(0).backward();
  CHECK(z.grad() == 0.0);  // d/dx x^0 = 0, not 0 * 0^-1 = nan
}

TEST_CASE("scalar_unary: sigmoid and tanh saturate without overflow or nan") {
  Scalar big = 40.0, small = -40.0, huge = -1000.0;
  auto sb = big.sigmoid(), ss = small.sigmoid(), sh = huge.sigmoid();
  CHECK(sb.value() == 1.0);
  CHECK(sh.value() == 0.0);
  sb.backward();
  ss.backward();
  sh.backward();
  CHECK(big.grad() == 0.0);  // from the output: (1 - 1) * 1
  CHECK(small.grad() > 0.0);
  CHECK(small.grad() < 1e-17);
  CHECK(huge.grad() == 0.0);
  Scalar t = 30.0;
  t.tanh().backward();
  CHECK(t.grad() == 0.0);
}

TEST_CASE("scalar_arith: ops record their names") {
  Scalar a = 1.0, b = 2.0;
  CHECK(a.op_name() == "leaf");
  CHECK(a.is_leaf());
  CHECK((a + b).op_name() == "add");
  CHECK((a - b).op_name() == "sub");
  CHECK((a * b).op_name() == "mul");
  CHECK((a / b).op_name() == "div");
  CHECK((-a).op_name() == "neg");
  CHECK((a * 2).op_name() == "mul_const");
  CHECK((2 / a).op_name() == "rdiv_const");
  CHECK(a.sigmoid().op_name() == "sigmoid");
  CHECK_FALSE(a.sigmoid().is_leaf());
}

TEST_CASE("scalar: fmt prints a Scalar like micrograd's Value") {
  Scalar x = 0.5;
  CHECK(fmt::format("{}", x) == "Scalar(value=0.5, grad=0)");
  CHECK(fmt::format("{:.3f}", x * 3) == "Scalar(value=1.500, grad=0.000)");
}

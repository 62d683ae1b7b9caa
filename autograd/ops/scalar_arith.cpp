// SPDX-License-Identifier: MIT
// Scalar arithmetic: + - * / and negation, with Scalars or plain numbers on
// either side. One block per op: its derivative, its table, its forward. A
// plain number is the op's constant, not a leaf, so `2 * x` records one node.
#include "autograd/ops/scalar_op.hpp"

namespace ag {
using namespace detail;

namespace {
const char* const kLeftRight[] = {"a", "b"};  // operand names where order matters

// a + b: d/da = 1, d/db = 1
void add_vjp(ScalarNode& n, double g) {
  accumulate_input(n, 0, g);
  accumulate_input(n, 1, g);
}
const Op add_op{"add", "+", &scalar_kind, run_backward<add_vjp>};
}  // namespace
Scalar operator+(const Scalar& a, const Scalar& b) {
  return record(add_op, a.value() + b.value(), a, b);
}

namespace {
// a - b: d/da = 1, d/db = -1
void sub_vjp(ScalarNode& n, double g) {
  accumulate_input(n, 0, g);
  accumulate_input(n, 1, -g);
}
const Op sub_op{"sub", "-", &scalar_kind, run_backward<sub_vjp>, nullptr, kLeftRight};
}  // namespace
Scalar operator-(const Scalar& a, const Scalar& b) {
  return record(sub_op, a.value() - b.value(), a, b);
}

namespace {
// a * b: d/da = b, d/db = a
void mul_vjp(ScalarNode& n, double g) {
  accumulate_input(n, 0, input(n, 1).value() * g);
  accumulate_input(n, 1, input(n, 0).value() * g);
}
const Op mul_op{"mul", "*", &scalar_kind, run_backward<mul_vjp>};
}  // namespace
Scalar operator*(const Scalar& a, const Scalar& b) {
  return record(mul_op, a.value() * b.value(), a, b);
}

namespace {
// a / b: d/da = 1/b, d/db = -a/b^2
void div_vjp(ScalarNode& n, double g) {
  const double a = input(n, 0).value(), b = input(n, 1).value();
  accumulate_input(n, 0, g / b);
  accumulate_input(n, 1, -(g * a / (b * b)));
}
const Op div_op{"div", "/", &scalar_kind, run_backward<div_vjp>, nullptr, kLeftRight};
}  // namespace
Scalar operator/(const Scalar& a, const Scalar& b) {
  return record(div_op, a.value() / b.value(), a, b);
}

namespace {
// -x: d/dx = -1
void neg_vjp(ScalarNode& n, double g) { accumulate_input(n, 0, -g); }
const Op neg_op{"neg", "neg", &scalar_kind, run_backward<neg_vjp>};
}  // namespace
Scalar operator-(const Scalar& a) { return record(neg_op, -a.value(), a); }

namespace {
// x + c: d/dx = 1 (x - c is recorded as x + (-c), exactly)
void add_const_vjp(ScalarNode& n, double g) { accumulate_input(n, 0, g); }
const Op add_const_op{"add_const", "+ {:g}", &scalar_kind, run_backward<add_const_vjp>,
                      constant_label};
}  // namespace
// Its node stores no value when x's value never changes (ScalarNode::value): 32 bytes, not 40.
Scalar operator+(const Scalar& a, double c) {
  return Scalar::adopt(make_scalar_sum(&add_const_op, a.node(), c));
}
Scalar operator+(double c, const Scalar& a) { return a + c; }
Scalar operator-(const Scalar& a, double c) { return a + -c; }

namespace {
// c - x: d/dx = -1
void rsub_const_vjp(ScalarNode& n, double g) { accumulate_input(n, 0, -g); }
const Op rsub_const_op{"rsub_const", "{:g} -", &scalar_kind, run_backward<rsub_const_vjp>,
                       constant_label};
}  // namespace
Scalar operator-(double c, const Scalar& a) { return record(rsub_const_op, c - a.value(), a, c); }

namespace {
// x * c: d/dx = c
void mul_const_vjp(ScalarNode& n, double g) { accumulate_input(n, 0, n.constant() * g); }
const Op mul_const_op{"mul_const", "* {:g}", &scalar_kind, run_backward<mul_const_vjp>,
                      constant_label};
}  // namespace
Scalar operator*(const Scalar& a, double c) { return record(mul_const_op, a.value() * c, a, c); }
Scalar operator*(double c, const Scalar& a) { return a * c; }

namespace {
// x / c: d/dx = 1/c (divided, not multiplied by 1/c, so values match x / c exactly)
void div_const_vjp(ScalarNode& n, double g) { accumulate_input(n, 0, g / n.constant()); }
const Op div_const_op{"div_const", "/ {:g}", &scalar_kind, run_backward<div_const_vjp>,
                      constant_label};
}  // namespace
Scalar operator/(const Scalar& a, double c) { return record(div_const_op, a.value() / c, a, c); }

namespace {
// c / x: d/dx = -c/x^2
void rdiv_const_vjp(ScalarNode& n, double g) {
  const double x = input(n, 0).value();
  accumulate_input(n, 0, -(g * n.constant() / (x * x)));
}
const Op rdiv_const_op{"rdiv_const", "{:g} /", &scalar_kind, run_backward<rdiv_const_vjp>,
                       constant_label};
}  // namespace
Scalar operator/(double c, const Scalar& a) { return record(rdiv_const_op, c / a.value(), a, c); }

}  // namespace ag

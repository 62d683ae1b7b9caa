// Scalar arithmetic: + - * / and negation, with Scalars or plain numbers on
// either side. Each op: forward, then its local derivative times the
// output's gradient added into each input.
#include "autograd/ops/scalar_op.hpp"

namespace ag {
namespace detail {
namespace {

// a + b: d/da = 1, d/db = 1
void add_backward(Node& n) {
  input0(n).grad += as_scalar(n).grad;
  input1(n).grad += as_scalar(n).grad;
}
const Op add_op{"add", "+", &scalar_kind, add_backward};

// a - b: d/da = 1, d/db = -1
void sub_backward(Node& n) {
  input0(n).grad += as_scalar(n).grad;
  input1(n).grad -= as_scalar(n).grad;
}
const Op sub_op{"sub", "-", &scalar_kind, sub_backward};

// a * b: d/da = b, d/db = a
void mul_backward(Node& n) {
  ScalarNode &a = input0(n), &b = input1(n);
  const double g = as_scalar(n).grad;
  a.grad += b.value * g;
  b.grad += a.value * g;
}
const Op mul_op{"mul", "*", &scalar_kind, mul_backward};

// a / b: d/da = 1/b, d/db = -a/b^2
void div_backward(Node& n) {
  ScalarNode &a = input0(n), &b = input1(n);
  const double g = as_scalar(n).grad;
  a.grad += g / b.value;
  b.grad -= g * a.value / (b.value * b.value);
}
const Op div_op{"div", "/", &scalar_kind, div_backward};

// -x: d/dx = -1
void neg_backward(Node& n) { input0(n).grad -= as_scalar(n).grad; }
const Op neg_op{"neg", "neg", &scalar_kind, neg_backward};

// x + c: d/dx = 1 (c is stored as aux; x - c is recorded as x + (-c), exactly)
void add_const_backward(Node& n) { input0(n).grad += as_scalar(n).grad; }
const Op add_const_op{"add_const", "+ {:g}", &scalar_kind, add_const_backward};

// c - x: d/dx = -1
void rsub_const_backward(Node& n) { input0(n).grad -= as_scalar(n).grad; }
const Op rsub_const_op{"rsub_const", "{:g} -", &scalar_kind, rsub_const_backward};

// x * c: d/dx = c
void mul_const_backward(Node& n) { input0(n).grad += as_scalar(n).aux * as_scalar(n).grad; }
const Op mul_const_op{"mul_const", "* {:g}", &scalar_kind, mul_const_backward};

// x / c: d/dx = 1/c (divided, not multiplied by 1/c, so values match x / c exactly)
void div_const_backward(Node& n) { input0(n).grad += as_scalar(n).grad / as_scalar(n).aux; }
const Op div_const_op{"div_const", "/ {:g}", &scalar_kind, div_const_backward};

// c / x: d/dx = -c/x^2
void rdiv_const_backward(Node& n) {
  ScalarNode& x = input0(n);
  x.grad -= as_scalar(n).grad * as_scalar(n).aux / (x.value * x.value);
}
const Op rdiv_const_op{"rdiv_const", "{:g} /", &scalar_kind, rdiv_const_backward};

}  // namespace
}  // namespace detail

using detail::record;

Scalar operator+(const Scalar& a, const Scalar& b) {
  return record(detail::add_op, a.value() + b.value(), a, b);
}
Scalar operator-(const Scalar& a, const Scalar& b) {
  return record(detail::sub_op, a.value() - b.value(), a, b);
}
Scalar operator*(const Scalar& a, const Scalar& b) {
  return record(detail::mul_op, a.value() * b.value(), a, b);
}
Scalar operator/(const Scalar& a, const Scalar& b) {
  return record(detail::div_op, a.value() / b.value(), a, b);
}
Scalar operator-(const Scalar& a) { return record(detail::neg_op, -a.value(), a); }

Scalar operator+(const Scalar& a, double c) {
  return record(detail::add_const_op, a.value() + c, a, c);
}
Scalar operator+(double c, const Scalar& a) { return a + c; }
Scalar operator-(const Scalar& a, double c) {
  return record(detail::add_const_op, a.value() - c, a, -c);
}
Scalar operator-(double c, const Scalar& a) {
  return record(detail::rsub_const_op, c - a.value(), a, c);
}
Scalar operator*(const Scalar& a, double c) {
  return record(detail::mul_const_op, a.value() * c, a, c);
}
Scalar operator*(double c, const Scalar& a) { return a * c; }
Scalar operator/(const Scalar& a, double c) {
  return record(detail::div_const_op, a.value() / c, a, c);
}
Scalar operator/(double c, const Scalar& a) {
  return record(detail::rdiv_const_op, c / a.value(), a, c);
}

}  // namespace ag

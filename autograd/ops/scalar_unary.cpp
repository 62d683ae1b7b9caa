// Scalar functions of one input: pow with a constant exponent, exp, log,
// tanh, sigmoid, relu, abs. Where the derivative is cheaper from the output
// (exp, tanh, sigmoid) it is taken from the output, as PyTorch does.
#include <cmath>

#include "autograd/ops/scalar_op.hpp"

namespace ag {
namespace detail {
namespace {

// x^c: d/dx = c x^(c-1); exactly 0 for c = 0, as PyTorch
void pow_backward(Node& n) {
  const double c = as_scalar(n).aux;
  ScalarNode& x = input0(n);
  if (c != 0.0) x.grad += c * std::pow(x.value, c - 1.0) * as_scalar(n).grad;
}
const Op pow_op{"pow", "pow {:g}", &scalar_kind, pow_backward};

// e^x: d/dx = e^x, the output
void exp_backward(Node& n) { input0(n).grad += as_scalar(n).value * as_scalar(n).grad; }
const Op exp_op{"exp", "exp", &scalar_kind, exp_backward};

// ln x: d/dx = 1/x
void log_backward(Node& n) { input0(n).grad += as_scalar(n).grad / input0(n).value; }
const Op log_op{"log", "log", &scalar_kind, log_backward};

// tanh x: d/dx = 1 - t^2 with t the output
void tanh_backward(Node& n) {
  const double t = as_scalar(n).value;
  input0(n).grad += as_scalar(n).grad * (1.0 - t * t);
}
const Op tanh_op{"tanh", "tanh", &scalar_kind, tanh_backward};

// σ(x) = 1/(1+e^-x): d/dx = σ(1-σ) with σ the output
void sigmoid_backward(Node& n) {
  const double s = as_scalar(n).value;
  input0(n).grad += as_scalar(n).grad * (1.0 - s) * s;
}
const Op sigmoid_op{"sigmoid", "σ", &scalar_kind, sigmoid_backward};

// max(0, x): d/dx = 1 for x > 0, else 0 (0 at the kink, as PyTorch)
void relu_backward(Node& n) {
  if (input0(n).value > 0.0) input0(n).grad += as_scalar(n).grad;
}
const Op relu_op{"relu", "relu", &scalar_kind, relu_backward};

// |x|: d/dx = sign(x), 0 at 0
void abs_backward(Node& n) {
  const double x = input0(n).value;
  const double sign = x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0);
  input0(n).grad += sign * as_scalar(n).grad;
}
const Op abs_op{"abs", "abs", &scalar_kind, abs_backward};

}  // namespace
}  // namespace detail

using detail::record;

Scalar Scalar::pow(double c) const {
  return record(detail::pow_op, std::pow(value(), c), *this, c);
}
Scalar Scalar::exp() const { return record(detail::exp_op, std::exp(value()), *this); }
Scalar Scalar::log() const { return record(detail::log_op, std::log(value()), *this); }
Scalar Scalar::tanh() const { return record(detail::tanh_op, std::tanh(value()), *this); }
Scalar Scalar::sigmoid() const {
  return record(detail::sigmoid_op, 1.0 / (1.0 + std::exp(-value())), *this);
}
Scalar Scalar::relu() const {
  return record(detail::relu_op, value() < 0.0 ? 0.0 : value(), *this);  // NaN stays NaN
}
Scalar Scalar::abs() const { return record(detail::abs_op, std::fabs(value()), *this); }

}  // namespace ag

// SPDX-License-Identifier: MIT
// Scalar functions of one input: pow with a constant exponent, exp, log,
// tanh, sigmoid, relu, abs. One block per op: derivative, table, forward.
// Where the derivative is cheaper from the output (exp, tanh, sigmoid) it is
// taken from the output, as PyTorch does.
#include <cmath>

#include "autograd/ops/scalar_op.hpp"

namespace ag {
using namespace detail;

namespace {
// x^c: d/dx = c x^(c-1); exactly 0 for c = 0, as PyTorch
void pow_vjp(ScalarNode& n, double g) {
  const double c = n.constant();
  if (c != 0.0) accumulate_input(n, 0, c * std::pow(input(n, 0).value(), c - 1.0) * g);
}
const Op pow_op{"pow", "pow {:g}", &scalar_kind, run_backward<pow_vjp>, constant_label};
}  // namespace
Scalar Scalar::pow(double c) const { return record(pow_op, std::pow(value(), c), *this, c); }

namespace {
// e^x: d/dx = e^x, the output
void exp_vjp(ScalarNode& n, double g) { accumulate_input(n, 0, n.value() * g); }
const Op exp_op{"exp", "exp", &scalar_kind, run_backward<exp_vjp>};
}  // namespace
Scalar Scalar::exp() const { return record(exp_op, std::exp(value()), *this); }

namespace {
// ln x: d/dx = 1/x
void log_vjp(ScalarNode& n, double g) { accumulate_input(n, 0, g / input(n, 0).value()); }
const Op log_op{"log", "log", &scalar_kind, run_backward<log_vjp>};
}  // namespace
Scalar Scalar::log() const { return record(log_op, std::log(value()), *this); }

namespace {
// tanh x: d/dx = 1 - t^2 with t the output
void tanh_vjp(ScalarNode& n, double g) {
  accumulate_input(n, 0, g * (1.0 - n.value() * n.value()));
}
const Op tanh_op{"tanh", "tanh", &scalar_kind, run_backward<tanh_vjp>};
}  // namespace
Scalar Scalar::tanh() const { return record(tanh_op, std::tanh(value()), *this); }

namespace {
// σ(x) = 1/(1+e^-x): d/dx = σ(1-σ) with σ the output
void sigmoid_vjp(ScalarNode& n, double g) {
  accumulate_input(n, 0, g * (1.0 - n.value()) * n.value());
}
const Op sigmoid_op{"sigmoid", "σ", &scalar_kind, run_backward<sigmoid_vjp>};
}  // namespace
Scalar Scalar::sigmoid() const {
  return record(sigmoid_op, 1.0 / (1.0 + std::exp(-value())), *this);
}

namespace {
// max(0, x): d/dx = 1 for x > 0, else 0 (0 at the kink, as PyTorch)
void relu_vjp(ScalarNode& n, double g) {
  if (input(n, 0).value() > 0.0) accumulate_input(n, 0, g);
}
const Op relu_op{"relu", "relu", &scalar_kind, run_backward<relu_vjp>};
}  // namespace
Scalar Scalar::relu() const {
  return record(relu_op, value() < 0.0 ? 0.0 : value(), *this);  // NaN stays NaN
}

namespace {
// |x|: d/dx = sign(x), 0 at 0
void abs_vjp(ScalarNode& n, double g) {
  const double x = input(n, 0).value();
  accumulate_input(n, 0, (x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0)) * g);
}
const Op abs_op{"abs", "abs", &scalar_kind, run_backward<abs_vjp>};
}  // namespace
Scalar Scalar::abs() const { return record(abs_op, std::fabs(value()), *this); }

}  // namespace ag

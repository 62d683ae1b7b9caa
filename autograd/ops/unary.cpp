// Functions of one tensor, elementwise. Where the derivative is cheaper from
// the output (exp, tanh, sigmoid, sqrt) it is taken from the output, as
// PyTorch does; kinks follow PyTorch.
#include <cmath>
#include <numbers>

#include "autograd/ops/tensor_op.hpp"

namespace ag {
namespace detail {
namespace {

// out = f(x, c) elementwise in the input's float dtype, unrecorded.
template <class F>
Tensor map(std::string_view op, const Tensor& x, F f, double c = 0.0) {
  Tensor out = empty_tensor(x.shape(), x.dtype(), op);
  visit_floating(x.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.data<T>();
    T* o = out.data<T>();
    for (std::int64_t i = 0, n = x.numel(); i < n; ++i) o[i] = static_cast<T>(f(in[i], T(c)));
  });
  return out;
}

Tensor unary(const Op& op, Tensor out, const Tensor& x, double c = 0.0) {
  if (record(out, op, {x.node()})) as_tensor(out.node())->real = c;
  return out;
}

void exp_vjp(Node& n, const Tensor& g) {
  const Tensor e = output(n);
  const Tensor fused = fused_vjp(g, e, [](auto u, auto y) { return u * y; });
  accumulate_input(n, 0, fused.defined() ? fused : g * e);
}
const Op exp_op{"exp", "exp", &tensor_kind, run_backward<exp_vjp>};

void log_vjp(Node& n, const Tensor& g) { accumulate_input(n, 0, g / input(n, 0)); }
const Op log_op{"log", "log", &tensor_kind, run_backward<log_vjp>};

void sqrt_vjp(Node& n, const Tensor& g) { accumulate_input(n, 0, g / (2.0 * output(n))); }
const Op sqrt_op{"sqrt", "sqrt", &tensor_kind, run_backward<sqrt_vjp>};

void tanh_vjp(Node& n, const Tensor& g) {
  const Tensor t = output(n);
  const Tensor fused = fused_vjp(g, t, [](auto u, auto y) { return u * (decltype(y)(1) - y * y); });
  accumulate_input(n, 0, fused.defined() ? fused : g * (1.0 - t * t));
}
const Op tanh_op{"tanh", "tanh", &tensor_kind, run_backward<tanh_vjp>};

void sigmoid_vjp(Node& n, const Tensor& g) {
  const Tensor s = output(n);
  const Tensor fused = fused_vjp(g, s, [](auto u, auto y) { return u * (decltype(y)(1) - y) * y; });
  accumulate_input(n, 0, fused.defined() ? fused : g * (1.0 - s) * s);
}
const Op sigmoid_op{"sigmoid", "σ", &tensor_kind, run_backward<sigmoid_vjp>};

// The derivative of relu, abs, leaky_relu and clamp is piecewise constant:
// a mask times the upstream gradient (masks are constants, even under
// create_graph, exactly as in PyTorch). Selects, not branches: the signs of
// pre-activations are random, and a mispredicted branch per element cost
// more than the rest of the loop.
Tensor step(const Tensor& x, double positive, double negative, double at_zero) {
  return map("step", x, [=](auto v, auto) {
    using T = decltype(v);
    const T below = v < 0 ? T(negative) : T(at_zero);
    return v > 0 ? T(positive) : below;
  });
}

// g · step(x) in one pass when nothing records (no create_graph), else the
// differentiable product with the constant mask.
Tensor times_step(const Tensor& g, const Tensor& x, double positive, double negative,
                  double at_zero) {
  // Selects, not branches, so that the loop vectorises: the sign of x is a
  // coin flip to a branch predictor.
  const Tensor fused = fused_vjp(g, x, [=](auto u, auto v) {
    using T = decltype(v);
    T factor = static_cast<T>(at_zero);
    factor = v > 0 ? static_cast<T>(positive) : factor;
    factor = v < 0 ? static_cast<T>(negative) : factor;
    return u * factor;
  });
  return fused.defined() ? fused : g * step(x, positive, negative, at_zero);
}

void relu_vjp(Node& n, const Tensor& g) {
  accumulate_input(n, 0, times_step(g, input(n, 0), 1, 0, 0));
}
const Op relu_op{"relu", "relu", &tensor_kind, run_backward<relu_vjp>};

void abs_vjp(Node& n, const Tensor& g) {
  accumulate_input(n, 0, times_step(g, input(n, 0), 1, -1, 0));
}
const Op abs_op{"abs", "abs", &tensor_kind, run_backward<abs_vjp>};

void leaky_relu_vjp(Node& n, const Tensor& g) {
  const double slope = as_tensor(n).real;
  accumulate_input(n, 0, times_step(g, input(n, 0), 1, slope, slope));
}
const Op leaky_relu_op{"leaky_relu", "leaky_relu {:g}", &tensor_kind, run_backward<leaky_relu_vjp>};

// x^c: d/dx = c x^(c-1), 0 for c = 0
void pow_vjp(Node& n, const Tensor& g) {
  const double c = as_tensor(n).real;
  const Tensor x = input(n, 0);
  accumulate_input(n, 0, c == 0.0 ? zeros(x.shape(), x.dtype()) : g * c * pow(x, c - 1.0));
}
const Op pow_op{"pow", "pow {:g}", &tensor_kind, run_backward<pow_vjp>};

// gelu(x) = x Φ(x): d/dx = Φ(x) + x φ(x)
constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;
void gelu_vjp(Node& n, const Tensor& g) {
  const Tensor x = input(n, 0);
  const Tensor cdf =
      0.5 *
      (1.0 + map("erf", x, [](auto v, auto) { return std::erf(v * decltype(v)(kInvSqrt2)); }));
  const Tensor pdf = kInvSqrt2Pi * exp(-0.5 * x * x);
  accumulate_input(n, 0, g * (cdf + x * pdf));
}
const Op gelu_op{"gelu", "gelu", &tensor_kind, run_backward<gelu_vjp>};

// tanh approximation: 0.5 x (1 + tanh(k (x + 0.044715 x³))), k = √(2/π)
constexpr double kSqrt2OverPi = 0.79788456080286535588;
Tensor gelu_tanh_inner(const Tensor& x) { return kSqrt2OverPi * (x + 0.044715 * x * x * x); }
void gelu_tanh_vjp(Node& n, const Tensor& g) {
  const Tensor x = input(n, 0);
  const Tensor t = tanh(gelu_tanh_inner(x));
  const Tensor inner_grad = kSqrt2OverPi * (1.0 + 3.0 * 0.044715 * x * x);
  accumulate_input(n, 0, g * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * inner_grad));
}
const Op gelu_tanh_op{"gelu_tanh", "gelu", &tensor_kind, run_backward<gelu_tanh_vjp>};

// clamp: gradient 1 on the closed interval [lo, hi]; bounds in saved[0..1]
void clamp_vjp(Node& n, const Tensor& g) {
  const Tensor x = input(n, 0);
  const auto& bounds = as_tensor(n).saved;
  Tensor keep = g;
  const Tensor zero = zeros({}, g.dtype());
  if (bounds[0].defined()) keep = where(lt(x, bounds[0]), zero, keep);
  if (bounds[1].defined()) keep = where(gt(x, bounds[1]), zero, keep);
  accumulate_input(n, 0, keep);
}
const Op clamp_op{"clamp", "clamp", &tensor_kind, run_backward<clamp_vjp>};

}  // namespace
}  // namespace detail

using detail::map;
using detail::unary;

Tensor exp(const Tensor& x) {
  return unary(detail::exp_op, map("exp", x, [](auto v, auto) { return std::exp(v); }), x);
}
Tensor log(const Tensor& x) {
  return unary(detail::log_op, map("log", x, [](auto v, auto) { return std::log(v); }), x);
}
Tensor sqrt(const Tensor& x) {
  return unary(detail::sqrt_op, map("sqrt", x, [](auto v, auto) { return std::sqrt(v); }), x);
}
Tensor tanh(const Tensor& x) {
  return unary(detail::tanh_op, map("tanh", x, [](auto v, auto) { return std::tanh(v); }), x);
}
Tensor sigmoid(const Tensor& x) {
  return unary(detail::sigmoid_op,
               map("sigmoid", x,
                   [](auto v, auto) { return decltype(v)(1) / (decltype(v)(1) + std::exp(-v)); }),
               x);
}
Tensor relu(const Tensor& x) {
  return unary(detail::relu_op,
               map("relu", x, [](auto v, auto) { return v < 0 ? decltype(v)(0) : v; }), x);
}
Tensor abs(const Tensor& x) {
  return unary(detail::abs_op, map("abs", x, [](auto v, auto) { return std::fabs(v); }), x);
}
Tensor pow(const Tensor& x, double c) {
  return unary(detail::pow_op,
               map(
                   "pow", x, [](auto v, auto k) { return std::pow(v, k); }, c),
               x, c);
}
Tensor leaky_relu(const Tensor& x, double slope) {
  return unary(detail::leaky_relu_op,
               map(
                   "leaky_relu", x, [](auto v, auto k) { return v > 0 ? v : v * k; }, slope),
               x, slope);
}
Tensor gelu(const Tensor& x, bool tanh_approx) {
  if (tanh_approx) {
    Tensor out = map("gelu", x, [](auto v, auto) {
      using T = decltype(v);
      const T inner = T(detail::kSqrt2OverPi) * (v + T(0.044715) * v * v * v);
      return T(0.5) * v * (T(1) + std::tanh(inner));
    });
    return unary(detail::gelu_tanh_op, out, x);
  }
  Tensor out = map("gelu", x, [](auto v, auto) {
    using T = decltype(v);
    return v * T(0.5) * (T(1) + std::erf(v * T(detail::kInvSqrt2)));
  });
  return unary(detail::gelu_op, out, x);
}
Tensor clamp(const Tensor& x, std::optional<double> lo, std::optional<double> hi) {
  const double low = lo.value_or(-INFINITY), high = hi.value_or(INFINITY);
  Tensor out = map("clamp", x, [=](auto v, auto) {
    using T = decltype(v);
    return v < T(low) ? T(low) : v > T(high) ? T(high) : v;
  });
  if (detail::record(out, detail::clamp_op, {x.node()})) {
    out.node()->saved = {lo ? full({}, *lo, x.dtype()) : Tensor(),
                         hi ? full({}, *hi, x.dtype()) : Tensor()};
  }
  return out;
}

}  // namespace ag

// SPDX-License-Identifier: MIT
// Functions of one tensor, elementwise. One block per op: derivative, table,
// forward. Where the derivative is cheaper from the output (exp, tanh,
// sigmoid, sqrt) it is taken from the output, as PyTorch does; kinks follow
// PyTorch. Derivatives written as one formula over elements and tensors
// (elementwise_vjp) run as one fused pass when nothing records.
#include <cmath>
#include <numbers>
#include <type_traits>

#include "autograd/ops/tensor_op.hpp"

namespace ag {
using namespace detail;

namespace {
Tensor unary(const Op& op, Tensor out, const Tensor& x) {
  record(out, op, {x.node()});
  return out;
}
}  // namespace

namespace {
// e^x: d/dx = e^x, the output
void exp_vjp(TensorNode& n, const Tensor& g) {
  accumulate_input(n, 0, elementwise_vjp(g, output(n), [](auto u, auto y) { return u * y; }));
}
const Op exp_op{"exp", "exp", &tensor_kind, run_backward<exp_vjp>, nullptr, nullptr, kSavesOutput};
}  // namespace
Tensor exp(const Tensor& x) { return unary(exp_op, map_kernel("exp", x, vmath::Fn::exp), x); }

namespace {
// ln x: d/dx = 1/x
void log_vjp(TensorNode& n, const Tensor& g) { accumulate_input(n, 0, g / input(n, 0)); }
const Op log_op{"log", "log", &tensor_kind, run_backward<log_vjp>};
}  // namespace
Tensor log(const Tensor& x) { return unary(log_op, map_kernel("log", x, vmath::Fn::log), x); }

namespace {
// √x: d/dx = 1/(2√x), from the output
void sqrt_vjp(TensorNode& n, const Tensor& g) { accumulate_input(n, 0, g / (2.0 * output(n))); }
const Op sqrt_op{"sqrt",  "sqrt",  &tensor_kind, run_backward<sqrt_vjp>,
                 nullptr, nullptr, kSavesOutput};
}  // namespace
Tensor sqrt(const Tensor& x) { return unary(sqrt_op, map_kernel("sqrt", x, vmath::Fn::sqrt), x); }

namespace {
// 1/√x: d/dx = -x^(-3/2)/2 = -y³/2, from the output
void rsqrt_vjp(TensorNode& n, const Tensor& g) {
  accumulate_input(n, 0, elementwise_vjp(g, output(n), [](auto u, auto y) {
                     return u * (constant_like(y, -0.5) * y * y * y);
                   }));
}
const Op rsqrt_op{"rsqrt", "rsqrt", &tensor_kind, run_backward<rsqrt_vjp>,
                  nullptr, nullptr, kSavesOutput};
}  // namespace
Tensor rsqrt(const Tensor& x) {
  return unary(rsqrt_op, map_kernel("rsqrt", x, vmath::Fn::rsqrt), x);
}

namespace {
// tanh x: d/dx = 1 - t² with t the output
void tanh_vjp(TensorNode& n, const Tensor& g) {
  accumulate_input(n, 0, elementwise_vjp(g, output(n), [](auto u, auto t) {
                     return u * (constant_like(t, 1) - t * t);
                   }));
}
const Op tanh_op{"tanh",  "tanh",  &tensor_kind, run_backward<tanh_vjp>,
                 nullptr, nullptr, kSavesOutput};
}  // namespace
Tensor tanh(const Tensor& x) { return unary(tanh_op, map_kernel("tanh", x, vmath::Fn::tanh), x); }

namespace {
// σ(x) = 1/(1+e^-x): d/dx = σ(1-σ) with σ the output
void sigmoid_vjp(TensorNode& n, const Tensor& g) {
  accumulate_input(n, 0, elementwise_vjp(g, output(n), [](auto u, auto s) {
                     return u * (constant_like(s, 1) - s) * s;
                   }));
}
const Op sigmoid_op{"sigmoid", "σ",     &tensor_kind, run_backward<sigmoid_vjp>,
                    nullptr,   nullptr, kSavesOutput};
}  // namespace
Tensor sigmoid(const Tensor& x) {
  return unary(sigmoid_op, map_kernel("sigmoid", x, vmath::Fn::sigmoid), x);
}

namespace {
// sin x: d/dx = cos x
void sin_vjp(TensorNode& n, const Tensor& g) { accumulate_input(n, 0, g * cos(input(n, 0))); }
const Op sin_op{"sin", "sin", &tensor_kind, run_backward<sin_vjp>};
// cos x: d/dx = -sin x
void cos_vjp(TensorNode& n, const Tensor& g) { accumulate_input(n, 0, -g * sin(input(n, 0))); }
const Op cos_op{"cos", "cos", &tensor_kind, run_backward<cos_vjp>};
}  // namespace
Tensor sin(const Tensor& x) { return unary(sin_op, map_kernel("sin", x, vmath::Fn::sin), x); }
Tensor cos(const Tensor& x) { return unary(cos_op, map_kernel("cos", x, vmath::Fn::cos), x); }

namespace {
// ln(1 + x), exact for small x: d/dx = 1/(1 + x)
void log1p_vjp(TensorNode& n, const Tensor& g) { accumulate_input(n, 0, g / (1.0 + input(n, 0))); }
const Op log1p_op{"log1p", "log1p", &tensor_kind, run_backward<log1p_vjp>};
// e^x - 1, exact for small x: d/dx = e^x = output + 1
void expm1_vjp(TensorNode& n, const Tensor& g) { accumulate_input(n, 0, g * (output(n) + 1.0)); }
const Op expm1_op{"expm1", "expm1", &tensor_kind, run_backward<expm1_vjp>,
                  nullptr, nullptr, kSavesOutput};
}  // namespace
Tensor log1p(const Tensor& x) {
  return unary(log1p_op, map_kernel("log1p", x, vmath::Fn::log1p), x);
}
Tensor expm1(const Tensor& x) {
  return unary(expm1_op, map_kernel("expm1", x, vmath::Fn::expm1), x);
}

namespace {
// log(1 + e^(βx))/β, the input itself where βx > threshold (as PyTorch):
// d/dx = σ(βx), or 1 past the threshold
struct SoftplusAttrs {
  double beta, threshold;
};
void softplus_vjp(TensorNode& n, const Tensor& g) {
  const auto [beta, threshold] = attrs<SoftplusAttrs>(n);
  if (!is_grad_enabled()) {  // one kernel pass for σ(βx), one fused multiply
    const Tensor slope =
        map_kernel("softplus", input(n, 0), vmath::Fn::softplus_grad, {beta, threshold});
    return accumulate_input(n, 0, elementwise_vjp(g, slope, [](auto u, auto s) { return u * s; }));
  }
  const Tensor bx = input(n, 0) * beta;
  accumulate_input(n, 0, g * where(gt(bx.detach(), threshold), ones({}, g.dtype()), sigmoid(bx)));
}
std::string softplus_label(const Node& n) {
  return fmt::format("softplus β={:g}", attrs<SoftplusAttrs>(as_tensor(n)).beta);
}
const Op softplus_op{"softplus", "softplus", &tensor_kind, run_backward<softplus_vjp>,
                     softplus_label};
}  // namespace
Tensor softplus(const Tensor& x, double beta, double threshold) {
  // log(1 + e^t) = max(t, 0) + log1p(e^-|t|): no overflow at large t
  Tensor out = map_kernel("softplus", x, vmath::Fn::softplus, {beta, threshold});
  if (record(out, softplus_op, {x.node()}))
    out.node()->attrs.emplace(SoftplusAttrs{beta, threshold});
  return out;
}

namespace {
// log σ(x) = min(x, 0) - log(1 + e^-|x|), finite at ±1000: d/dx = 1 - σ(x) = σ(-x)
void logsigmoid_vjp(TensorNode& n, const Tensor& g) {
  accumulate_input(n, 0, g * sigmoid(-input(n, 0)));
}
const Op logsigmoid_op{"logsigmoid", "log σ", &tensor_kind, run_backward<logsigmoid_vjp>};
}  // namespace
Tensor logsigmoid(const Tensor& x) {
  return unary(logsigmoid_op, map_kernel("logsigmoid", x, vmath::Fn::logsigmoid), x);
}

// ---- piecewise-linear functions: relu, abs, leaky_relu -------------------------

namespace {
// Their derivative is piecewise constant: `positive` above 0, `negative`
// below, `at_zero` at 0. Selects, not branches: the signs of
// pre-activations are random, and a mispredicted branch per element cost
// more than the rest of the loop. On a tensor it is a constant mask, even
// under create_graph, exactly as in PyTorch.
struct Slopes {
  double positive, negative, at_zero;
};
// The slopes converted to the element type once, outside the loop: from
// doubles, GCC selected in double and converted every element, which made
// relu's backward 4x slower than a product of two float tensors.
template <class T>
struct TypedSlopes {
  T positive, negative, at_zero;
  explicit TypedSlopes(Slopes s)
      : positive(T(s.positive)), negative(T(s.negative)), at_zero(T(s.at_zero)) {}
};
template <class T>
T slope_at(T v, const TypedSlopes<T>& s) {
  T factor = s.at_zero;
  factor = v > 0 ? s.positive : factor;
  factor = v < 0 ? s.negative : factor;
  return factor;
}
// Both typed copies travel in the lambdas (by value: by reference, the
// compiler could not rule out the output aliasing them, and the loop did not
// vectorise); the element type picks one.
struct SlopesForBoth {
  TypedSlopes<float> f;
  TypedSlopes<double> d;
  explicit SlopesForBoth(Slopes s) : f(s), d(s) {}
  float at(float v) const { return slope_at(v, f); }
  double at(double v) const { return slope_at(v, d); }
};
Tensor slope_at(const Tensor& x, Slopes s) {
  return map("slope", x, [both = SlopesForBoth(s)](auto v) { return both.at(v); });
}
Tensor times_slope(const Tensor& g, const Tensor& x, Slopes s) {
  return elementwise_vjp(g, x, [s, both = SlopesForBoth(s)](auto u, auto v) {
    if constexpr (std::is_floating_point_v<decltype(v)>) {
      return u * both.at(v);
    } else {
      return u * slope_at(v, s);  // tensors, under create_graph
    }
  });
}

// max(0, x): d/dx = 1 if x > 0 else 0
void relu_vjp(TensorNode& n, const Tensor& g) {
  accumulate_input(n, 0, times_slope(g, input(n, 0), {1, 0, 0}));
}
const Op relu_op{"relu", "relu", &tensor_kind, run_backward<relu_vjp>};
}  // namespace
Tensor relu(const Tensor& x) {
  return unary(relu_op, map("relu", x, [](auto v) { return v < 0 ? decltype(v)(0) : v; }), x);
}

namespace {
// |x|: d/dx = sign x (0 at 0)
void abs_vjp(TensorNode& n, const Tensor& g) {
  accumulate_input(n, 0, times_slope(g, input(n, 0), {1, -1, 0}));
}
const Op abs_op{"abs", "abs", &tensor_kind, run_backward<abs_vjp>};
}  // namespace
Tensor abs(const Tensor& x) {
  if (!is_floating(x.dtype())) {  // integers stay integers (wrapping at INT64_MIN, as PyTorch)
    return map_numeric("abs", x, [](auto v) {
      using T = decltype(v);
      if constexpr (std::is_integral_v<T>) {
        return v < 0 ? static_cast<T>(0 - static_cast<std::uint64_t>(v)) : v;
      } else {
        return std::fabs(v);
      }
    });
  }
  return unary(abs_op, map("abs", x, [](auto v) { return std::fabs(v); }), x);
}

namespace {
// x if x > 0 else slope·x: d/dx = 1 if x > 0 else slope (slope at 0, as PyTorch)
struct LeakyReluAttrs {
  double negative_slope;
};
void leaky_relu_vjp(TensorNode& n, const Tensor& g) {
  const double slope = attrs<LeakyReluAttrs>(n).negative_slope;
  accumulate_input(n, 0, times_slope(g, input(n, 0), {1, slope, slope}));
}
std::string leaky_relu_label(const Node& n) {
  return fmt::format("leaky_relu {:g}", attrs<LeakyReluAttrs>(as_tensor(n)).negative_slope);
}
const Op leaky_relu_op{"leaky_relu", "leaky_relu", &tensor_kind, run_backward<leaky_relu_vjp>,
                       leaky_relu_label};
}  // namespace
Tensor leaky_relu(const Tensor& x, double slope) {
  Tensor out = map("leaky_relu", x, [slope](auto v) { return v > 0 ? v : v * decltype(v)(slope); });
  if (record(out, leaky_relu_op, {x.node()})) out.node()->attrs.emplace(LeakyReluAttrs{slope});
  return out;
}

// ---- powers, GELU, clamp ----------------------------------------------------------

namespace {
// x^c: d/dx = c x^(c-1), 0 when c = 0
struct PowAttrs {
  double exponent;
};
void pow_vjp(TensorNode& n, const Tensor& g) {
  const double c = attrs<PowAttrs>(n).exponent;
  const Tensor x = input(n, 0);
  accumulate_input(n, 0, c == 0.0 ? zeros(x.shape(), x.dtype()) : g * c * pow(x, c - 1.0));
}
std::string pow_label(const Node& n) {
  return fmt::format("pow {:g}", attrs<PowAttrs>(as_tensor(n)).exponent);
}
const Op pow_op{"pow", "pow", &tensor_kind, run_backward<pow_vjp>, pow_label};
}  // namespace
Tensor pow(const Tensor& x, double c) {
  // Whole and half exponents as PyTorch's kernel has them (products, a
  // division, a square root: vmath's pow), else SLEEF's 1-ulp pow.
  Tensor out = map_kernel("pow", x, vmath::Fn::pow, {c, 0});
  if (record(out, pow_op, {x.node()})) out.node()->attrs.emplace(PowAttrs{c});
  return out;
}

namespace {
// erf x: d/dx = 2/√π e^(-x²)
constexpr double kTwoOverSqrtPi = 1.12837916709551257390;
void erf_vjp(TensorNode& n, const Tensor& g) {
  const Tensor x = input(n, 0);
  accumulate_input(n, 0, g * (kTwoOverSqrtPi * exp(-(x * x))));
}
const Op erf_op{"erf", "erf", &tensor_kind, run_backward<erf_vjp>};
}  // namespace
Tensor erf(const Tensor& x) { return unary(erf_op, map_kernel("erf", x, vmath::Fn::erf), x); }

namespace {
// gelu(x) = x Φ(x), Φ(x) = (1 + erf(x/√2))/2: d/dx = Φ(x) + x φ(x). Φ is
// built with the erf op, so under create_graph the second derivative keeps
// its φ term: φ(x)(2 - x²).
constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;
// Without create_graph the derivative is one kernel pass (vmath's
// gelu_grad, the same formula), then one fused multiply.
Tensor fused_vjp(const Tensor& g, const Tensor& x, vmath::Fn derivative) {
  return elementwise_vjp(g, map_kernel("gelu", x, derivative),
                         [](auto u, auto d) { return u * d; });
}
void gelu_vjp(TensorNode& n, const Tensor& g) {
  const Tensor x = input(n, 0);
  if (!is_grad_enabled()) return accumulate_input(n, 0, fused_vjp(g, x, vmath::Fn::gelu_grad));
  const Tensor cdf = 0.5 * (1.0 + erf(x * kInvSqrt2));
  const Tensor pdf = kInvSqrt2Pi * exp(-0.5 * x * x);
  accumulate_input(n, 0, g * (cdf + x * pdf));
}
const Op gelu_op{"gelu", "gelu", &tensor_kind, run_backward<gelu_vjp>};

// tanh approximation: 0.5 x (1 + tanh(k (x + 0.044715 x³))), k = √(2/π)
constexpr double kSqrt2OverPi = 0.79788456080286535588;
void gelu_tanh_vjp(TensorNode& n, const Tensor& g) {
  const Tensor x = input(n, 0);
  if (!is_grad_enabled()) {  // one tanh, not two (forward and backward each had one)
    return accumulate_input(n, 0, fused_vjp(g, x, vmath::Fn::gelu_tanh_grad));
  }
  const Tensor t = tanh(kSqrt2OverPi * (x + 0.044715 * x * x * x));
  const Tensor inner_grad = kSqrt2OverPi * (1.0 + 3.0 * 0.044715 * x * x);
  accumulate_input(n, 0, g * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * inner_grad));
}
const Op gelu_tanh_op{"gelu_tanh", "gelu", &tensor_kind, run_backward<gelu_tanh_vjp>};
}  // namespace
Tensor gelu(const Tensor& x, bool tanh_approx) {
  if (tanh_approx) return unary(gelu_tanh_op, map_kernel("gelu", x, vmath::Fn::gelu_tanh), x);
  return unary(gelu_op, map_kernel("gelu", x, vmath::Fn::gelu), x);
}

namespace {
// min(max(x, lo), hi): gradient 1 on the closed interval [lo, hi] (as PyTorch)
struct ClampAttrs {
  Tensor lo, hi;  // 0-d, undefined when there is no bound
};
void clamp_vjp(TensorNode& n, const Tensor& g) {
  const Tensor x = input(n, 0);
  const auto& [lo, hi] = attrs<ClampAttrs>(n);
  Tensor keep = g;
  const Tensor zero = zeros({}, g.dtype());
  if (lo.defined()) keep = where(lt(x, lo), zero, keep);
  if (hi.defined()) keep = where(gt(x, hi), zero, keep);
  accumulate_input(n, 0, keep);
}
const Op clamp_op{"clamp", "clamp", &tensor_kind, run_backward<clamp_vjp>};
}  // namespace
Tensor clamp(const Tensor& x, std::optional<double> lo, std::optional<double> hi) {
  const double low = lo.value_or(-INFINITY), high = hi.value_or(INFINITY);
  Tensor out = map("clamp", x, [=](auto v) {
    using T = decltype(v);
    return v < T(low) ? T(low) : v > T(high) ? T(high) : v;
  });
  if (record(out, clamp_op, {x.node()})) {
    out.node()->attrs.emplace(ClampAttrs{lo ? full({}, *lo, x.dtype()) : Tensor(),
                                         hi ? full({}, *hi, x.dtype()) : Tensor()});
  }
  return out;
}

// Tensor bounds (broadcast; either may be undefined): compositions of
// where, so the gradient goes to x inside [lo, hi] and to the bound beyond it
// (PyTorch's); hi wins when lo > hi.
Tensor clamp(const Tensor& x, const Tensor& lo, const Tensor& hi) {
  Tensor out = lo.defined() ? where(lt(x, lo), lo, x) : x;
  return hi.defined() ? where(gt(out, hi), hi, out) : out;
}

}  // namespace ag

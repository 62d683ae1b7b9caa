// SPDX-License-Identifier: MIT
// Elementwise tensor ops: arithmetic with broadcasting and type promotion,
// comparisons and logic, functions of one tensor, elementwise losses. Part
// of autograd/ops.hpp, which explains the conventions.
#pragma once

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "autograd/dims.hpp"
#include "autograd/parallel.hpp"
#include "autograd/scalar.hpp"
#include "autograd/tensor.hpp"

namespace ag {

// ---- elementwise, with broadcasting (ops/elementwise.cpp) ------------------
// Shapes broadcast (ShapeError otherwise). Dtypes promote as PyTorch's:
// bool < int64 < float (idx + 1.5 is float, (pred == y) + 1 is int64), but
// float32 with float64 is a DTypeError (convert one with to(): a silent
// promotion would hide a float64 copy). Division and pow of integers give
// the default float dtype. A double is a constant; an integer constant keeps
// an integer tensor integer (idx + 1); a Scalar joins the graph. Integer
// and bool tensors never take gradients.

Tensor operator+(const Tensor& a, const Tensor& b);  ///< d/da = 1, d/db = 1
Tensor operator-(const Tensor& a, const Tensor& b);  ///< d/da = 1, d/db = -1
Tensor operator*(const Tensor& a, const Tensor& b);  ///< d/da = b, d/db = a
Tensor operator/(const Tensor& a, const Tensor& b);  ///< d/da = 1/b, d/db = -a/b²
Tensor operator-(const Tensor& a);                   ///< d/da = -1
///@{
/// With a plain number c on either side: c is the op's constant, no node.
Tensor operator+(const Tensor& a, double c);
Tensor operator+(double c, const Tensor& a);
Tensor operator-(const Tensor& a, double c);
Tensor operator-(double c, const Tensor& a);
Tensor operator*(const Tensor& a, double c);
Tensor operator*(double c, const Tensor& a);
Tensor operator/(const Tensor& a, double c);
Tensor operator/(double c, const Tensor& a);
///@}
/// Any integer type but bool: the type of an integer constant.
template <class I>
concept Integer = std::integral<I> && !std::same_as<I, bool>;
namespace detail {
/// a op c (op one of + - *), or c op a with `c_first`, for an integer c.
Tensor integer_constant(const Tensor& a, char op, std::int64_t c, bool c_first);
/// Writes `result` into `self` (see the compound assignments below).
Tensor& write_in_place(Tensor& self, const Tensor& result, const char* op);
}  // namespace detail
///@{
/// With an integer constant c: int64 for an int64 or bool tensor (as
/// PyTorch's idx + 1), else the same as the double c. c / a and a / c divide.
template <Integer I>
Tensor operator+(const Tensor& a, I c) {
  return detail::integer_constant(a, '+', c, false);
}
template <Integer I>
Tensor operator+(I c, const Tensor& a) {
  return detail::integer_constant(a, '+', c, true);
}
template <Integer I>
Tensor operator-(const Tensor& a, I c) {
  return detail::integer_constant(a, '-', c, false);
}
template <Integer I>
Tensor operator-(I c, const Tensor& a) {
  return detail::integer_constant(a, '-', c, true);
}
template <Integer I>
Tensor operator*(const Tensor& a, I c) {
  return detail::integer_constant(a, '*', c, false);
}
template <Integer I>
Tensor operator*(I c, const Tensor& a) {
  return detail::integer_constant(a, '*', c, true);
}
template <Integer I>
Tensor operator/(const Tensor& a, I c) {
  return a / static_cast<double>(c);
}
template <Integer I>
Tensor operator/(I c, const Tensor& a) {
  return static_cast<double>(c) / a;
}
///@}
///@{
/// Compound assignment, as LibTorch's in-place ops (a += b is a.add_(b)):
/// in place (every handle sees the new values; version() rises, so a graph
/// that saved the old ones refuses to backward, as PyTorch's) unless
/// gradients are being recorded through it, when `a` takes the recorded
/// result instead and other handles keep the old tensor. The result keeps
/// a's dtype and shape: DTypeError for a float result into an integer a,
/// ShapeError if b does not broadcast to a. On a leaf that requires a
/// gradient, outside NoGradGuard: GraphError (update parameters under it).
inline Tensor& operator+=(Tensor& a, const Tensor& b) {
  return detail::write_in_place(a, a + b, "add_");
}
inline Tensor& operator-=(Tensor& a, const Tensor& b) {
  return detail::write_in_place(a, a - b, "sub_");
}
inline Tensor& operator*=(Tensor& a, const Tensor& b) {
  return detail::write_in_place(a, a * b, "mul_");
}
inline Tensor& operator/=(Tensor& a, const Tensor& b) {
  return detail::write_in_place(a, a / b, "div_");
}
inline Tensor& operator+=(Tensor& a, double c) { return detail::write_in_place(a, a + c, "add_"); }
inline Tensor& operator-=(Tensor& a, double c) { return detail::write_in_place(a, a - c, "sub_"); }
inline Tensor& operator*=(Tensor& a, double c) { return detail::write_in_place(a, a * c, "mul_"); }
inline Tensor& operator/=(Tensor& a, double c) { return detail::write_in_place(a, a / c, "div_"); }
template <Integer I>
Tensor& operator+=(Tensor& a, I c) {
  return detail::write_in_place(a, a + c, "add_");
}
template <Integer I>
Tensor& operator-=(Tensor& a, I c) {
  return detail::write_in_place(a, a - c, "sub_");
}
template <Integer I>
Tensor& operator*=(Tensor& a, I c) {
  return detail::write_in_place(a, a * c, "mul_");
}
template <Integer I>
Tensor& operator/=(Tensor& a, I c) {
  return detail::write_in_place(a, a / c, "div_");
}
///@}
/// Division rounded down (torch.floor_divide, 1.13's floor rounding): int64
/// for integers (ValueError on an integer division by zero), floor(a/b) for
/// floats; no gradient.
Tensor floor_divide(const Tensor& a, const Tensor& b);
/// a - floor(a/b)·b, the sign of b (torch.remainder); d/da = 1, d/db = -floor(a/b).
/// ValueError on an integer remainder by zero.
Tensor remainder(const Tensor& a, const Tensor& b);
///@{
/// With a Scalar s on either side: s joins the graph and gets the gradient
/// summed over the tensor (d/ds = Σ grad for +, Σ grad·a for *).
Tensor operator+(const Tensor& a, const Scalar& s);
Tensor operator+(const Scalar& s, const Tensor& a);
Tensor operator-(const Tensor& a, const Scalar& s);
Tensor operator-(const Scalar& s, const Tensor& a);
Tensor operator*(const Tensor& a, const Scalar& s);
Tensor operator*(const Scalar& s, const Tensor& a);
Tensor operator/(const Tensor& a, const Scalar& s);
///@}
///@{
/// The larger / smaller of a and b elementwise (broadcast; NaN wins, as
/// torch.maximum); the gradient goes to the chosen side, half to each at ties.
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
///@}
/// a^b elementwise, a > 0 where b is not an integer; d/da = b a^(b-1), d/db = a^b ln a.
Tensor pow(const Tensor& a, const Tensor& b);

// ---- comparisons and selection (ops/compare.cpp): masks are bool, not differentiable

///@{
/// a == b, !=, <, <=, >, >= elementwise (broadcast, dtypes promoted): a
/// bool mask. With a number c: an integer tensor against a whole c compares
/// as integers, otherwise as float64 (exact for |x| < 2^53).
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, double c);
Tensor ne(const Tensor& a, double c);
Tensor lt(const Tensor& a, double c);
Tensor le(const Tensor& a, double c);
Tensor gt(const Tensor& a, double c);
Tensor ge(const Tensor& a, double c);
///@}
///@{
/// The comparisons as operators, as LibTorch's: `(pred == y).sum()`.
inline Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
inline Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
inline Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
inline Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
inline Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
inline Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
inline Tensor operator==(const Tensor& a, double c) { return eq(a, c); }
inline Tensor operator!=(const Tensor& a, double c) { return ne(a, c); }
inline Tensor operator<(const Tensor& a, double c) { return lt(a, c); }
inline Tensor operator<=(const Tensor& a, double c) { return le(a, c); }
inline Tensor operator>(const Tensor& a, double c) { return gt(a, c); }
inline Tensor operator>=(const Tensor& a, double c) { return ge(a, c); }
///@}
///@{
/// Logic on masks, as torch.logical_*: any dtype, nonzero is true; a bool
/// result. The operators & | ^ ~ (LibTorch's) and ! take bool tensors
/// (DTypeError for others: LibTorch's are bitwise on integers).
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
Tensor logical_xor(const Tensor& a, const Tensor& b);
Tensor logical_not(const Tensor& a);
Tensor operator&(const Tensor& a, const Tensor& b);
Tensor operator|(const Tensor& a, const Tensor& b);
Tensor operator^(const Tensor& a, const Tensor& b);
Tensor operator~(const Tensor& a);
inline Tensor operator!(const Tensor& a) { return ~a; }
///@}
/// cond ? a : b elementwise (broadcast); gradient flows to the chosen side.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
/// a with `value` where mask is true; no gradient through the filled places.
Tensor masked_fill(const Tensor& a, const Tensor& mask, double value);

// ---- unary (ops/unary.cpp) ---------------------------------------------------

Tensor exp(const Tensor& x);            ///< d/dx = e^x
Tensor log(const Tensor& x);            ///< d/dx = 1/x
Tensor sqrt(const Tensor& x);           ///< d/dx = 1/(2√x)
Tensor rsqrt(const Tensor& x);          ///< 1/√x; d/dx = -y³/2 with y the output
Tensor tanh(const Tensor& x);           ///< d/dx = 1 - tanh²x
Tensor sigmoid(const Tensor& x);        ///< d/dx = σ(1-σ)
Tensor relu(const Tensor& x);           ///< d/dx = 1 if x > 0 else 0
Tensor abs(const Tensor& x);            ///< d/dx = sign x (0 at 0)
Tensor pow(const Tensor& x, double c);  ///< d/dx = c x^(c-1) (0 when c = 0)
/// x if x > 0 else slope·x; d/dx = 1 if x > 0 else slope.
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
Tensor sin(const Tensor& x);    ///< d/dx = cos x
Tensor cos(const Tensor& x);    ///< d/dx = -sin x
Tensor log1p(const Tensor& x);  ///< ln(1 + x), exact near 0; d/dx = 1/(1+x)
Tensor expm1(const Tensor& x);  ///< e^x - 1, exact near 0; d/dx = e^x
/// log(1 + e^(βx))/β, and x itself where βx > threshold (torch.nn.functional.softplus);
/// d/dx = σ(βx).
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);
/// log σ(x), finite for any x; d/dx = σ(-x).
Tensor logsigmoid(const Tensor& x);
/// The error function, 2/√π ∫₀ˣ e^(-t²) dt; d/dx = 2/√π e^(-x²).
Tensor erf(const Tensor& x);
/// x Φ(x) exactly (erf), or with the tanh approximation when `tanh_approx`.
Tensor gelu(const Tensor& x, bool tanh_approx = false);
/// min(max(x, lo), hi); gradient 1 on the closed interval [lo, hi], as PyTorch.
Tensor clamp(const Tensor& x, std::optional<double> lo, std::optional<double> hi);
/// The same with tensor bounds (broadcast; an undefined one is no bound):
/// the gradient goes to x inside [lo, hi] and to the bound it is beyond.
Tensor clamp(const Tensor& x, const Tensor& lo, const Tensor& hi);

// ---- elementwise losses (ops/loss.cpp); nn/loss.hpp weights and reduces them ----

/// -y·ln c - (1-y)·ln(1-c) per element for probabilities c and targets y of
/// the same shape, each log clamped at -100 (PyTorch's binary_cross_entropy
/// with reduction none). d/dc = (c - y) / max(c(1-c), 1e-12).
Tensor bce(const Tensor& probs, const Tensor& target);
/// The same from logits x, stable at ±1000: (1-y) x + L·log(1 + e^-x) with
/// L = 1 + (pos_weight - 1) y; `pos_weight` (broadcast) may be undefined.
Tensor bce_with_logits(const Tensor& logits, const Tensor& target,
                       const Tensor& pos_weight = Tensor());

}  // namespace ag

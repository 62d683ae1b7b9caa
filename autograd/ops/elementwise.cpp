// SPDX-License-Identifier: MIT
// Elementwise arithmetic with broadcasting: tensor∘tensor, tensor∘constant,
// tensor∘Scalar, and tensor powers. One block per op: derivative, table,
// forward. A broadcast input's gradient is summed back to its shape by
// accumulate_grad.
#include <cmath>

#include "autograd/ops/kernels.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag {
using namespace detail;

namespace {

const char* const kLeftRight[] = {"a", "b"};  // operand names where order matters

DType same_float_dtype(const Tensor& a, const Tensor& b, std::string_view op) {
  if (a.dtype() != b.dtype()) {
    fail<DTypeError>("{}: dtypes differ ({} {} and {} {}); convert one with to()", op, a.dtype(),
                     a.shape(), b.dtype(), b.shape());
  }
  visit_floating(a.dtype(), op, [](auto) {});
  return a.dtype();
}

// out = f(a, b) with broadcasting, unrecorded.
template <class F>
Tensor map2(std::string_view op, const Tensor& a, const Tensor& b, F f) {
  const DType dtype = same_float_dtype(a, b, op);
  Tensor out = empty_tensor(broadcast_shapes(a.shape(), b.shape(), op), dtype, op);
  visit_floating(dtype, op, [&](auto zero) {
    using T = decltype(zero);
    binary_map(a.data<T>(), a.shape(), b.data<T>(), b.shape(), out.data<T>(), out.shape(),
               [&](T x, T y) { return static_cast<T>(f(x, y)); });
  });
  return out;
}

Tensor binary(const Op& op, Tensor out, const Tensor& a, const Tensor& b) {
  record(out, op, {a.node(), b.node()});
  return out;
}

// The constant of x + c, x * c, c / x, ...
struct ConstantAttrs {
  double c;
};
std::string constant_label(const Node& n) {
  return fmt::format(fmt::runtime(n.op()->symbol), attrs<ConstantAttrs>(as_tensor(n)).c);
}
Tensor with_constant(const Op& op, Tensor out, const Tensor& x, double c) {
  if (record(out, op, {x.node()})) out.node()->attrs.emplace(ConstantAttrs{c});
  return out;
}
double constant_of(const TensorNode& n) { return attrs<ConstantAttrs>(n).c; }

}  // namespace

// ---- tensor ∘ tensor ----------------------------------------------------------

namespace {
// a + b: d/da = 1, d/db = 1
void add_vjp(TensorNode& n, const Tensor& g) {
  accumulate_input(n, 0, g);
  accumulate_input(n, 1, g);
}
const Op add_op{"add", "+", &tensor_kind, run_backward<add_vjp>, nullptr, nullptr, kSavesNothing};
}  // namespace
Tensor operator+(const Tensor& a, const Tensor& b) {
  return binary(add_op, map2("add", a, b, [](auto x, auto y) { return x + y; }), a, b);
}

namespace {
// a - b: d/da = 1, d/db = -1
void sub_vjp(TensorNode& n, const Tensor& g) {
  accumulate_input(n, 0, g);
  if (input_wants_grad(n, 1)) accumulate_input(n, 1, -g);
}
const Op sub_op{"sub",   "-",        &tensor_kind, run_backward<sub_vjp>,
                nullptr, kLeftRight, kSavesNothing};
}  // namespace
Tensor operator-(const Tensor& a, const Tensor& b) {
  return binary(sub_op, map2("sub", a, b, [](auto x, auto y) { return x - y; }), a, b);
}

namespace {
// a * b: d/da = b, d/db = a
void mul_vjp(TensorNode& n, const Tensor& g) {
  accumulate_product(n, 1, g, input(n, 0));
  accumulate_product(n, 0, g, input(n, 1), /*last_use_of_g=*/true);
}
const Op mul_op{"mul", "*", &tensor_kind, run_backward<mul_vjp>};
}  // namespace
Tensor operator*(const Tensor& a, const Tensor& b) {
  return binary(mul_op, map2("mul", a, b, [](auto x, auto y) { return x * y; }), a, b);
}

namespace {
// a / b: d/da = 1/b, d/db = -a/b²
void div_vjp(TensorNode& n, const Tensor& g) {
  const Tensor b = input(n, 1);
  if (input_wants_grad(n, 0)) accumulate_input(n, 0, g / b);
  if (input_wants_grad(n, 1)) accumulate_input(n, 1, -g * input(n, 0) / (b * b));
}
const Op div_op{"div", "/", &tensor_kind, run_backward<div_vjp>, nullptr, kLeftRight};
}  // namespace
Tensor operator/(const Tensor& a, const Tensor& b) {
  return binary(div_op, map2("div", a, b, [](auto x, auto y) { return x / y; }), a, b);
}

namespace {
// a^b: d/da = b a^(b-1), d/db = a^b ln a (0 where a = 0, as PyTorch)
const char* const kBaseExponent[] = {"base", "exponent"};
void pow_tensor_vjp(TensorNode& n, const Tensor& g) {
  const Tensor a = input(n, 0), b = input(n, 1);
  if (input_wants_grad(n, 0)) accumulate_input(n, 0, g * b * pow(a, b - 1.0));
  if (input_wants_grad(n, 1)) {
    const Tensor a_safe = where(eq(a, zeros({}, a.dtype())), ones({}, a.dtype()), a);
    accumulate_input(n, 1, g * pow(a, b) * log(a_safe));
  }
}
const Op pow_tensor_op{"pow",   "pow",        &tensor_kind, run_backward<pow_tensor_vjp>,
                       nullptr, kBaseExponent};
}  // namespace
Tensor pow(const Tensor& a, const Tensor& b) {
  return binary(pow_tensor_op, map2("pow", a, b, [](auto x, auto y) { return std::pow(x, y); }), a,
                b);
}

namespace {
// -a: d/da = -1
void neg_vjp(TensorNode& n, const Tensor& g) { accumulate_input(n, 0, -g); }
const Op neg_op{"neg", "neg", &tensor_kind, run_backward<neg_vjp>, nullptr, nullptr, kSavesNothing};
}  // namespace
Tensor operator-(const Tensor& a) {
  Tensor out = map("neg", a, [](auto x) { return -x; });
  record(out, neg_op, {a.node()});
  return out;
}

namespace {
// max(a, b) and min(a, b): the gradient to the chosen side, split evenly
// at ties; with a NaN both sides get it (PyTorch's masks: a side loses the
// gradient only where it strictly loses)
template <bool is_max>
void extreme_vjp(TensorNode& n, const Tensor& g) {
  const Tensor a = input(n, 0).detach(), b = input(n, 1).detach();
  const Tensor zero = zeros({}, g.dtype());
  const Tensor tie = eq(a, b), half = g * 0.5;
  const Tensor a_loses = is_max ? lt(a, b) : gt(a, b), b_loses = is_max ? gt(a, b) : lt(a, b);
  if (input_wants_grad(n, 0)) accumulate_input(n, 0, where(tie, half, where(a_loses, zero, g)));
  if (input_wants_grad(n, 1)) accumulate_input(n, 1, where(tie, half, where(b_loses, zero, g)));
}
const Op maximum_op{"maximum", "max", &tensor_kind, run_backward<extreme_vjp<true>>};
const Op minimum_op{"minimum", "min", &tensor_kind, run_backward<extreme_vjp<false>>};
}  // namespace
Tensor maximum(const Tensor& a, const Tensor& b) {
  return binary(maximum_op,
                map2("maximum", a, b, [](auto x, auto y) { return x > y || x != x ? x : y; }), a,
                b);
}
Tensor minimum(const Tensor& a, const Tensor& b) {
  return binary(minimum_op,
                map2("minimum", a, b, [](auto x, auto y) { return x < y || x != x ? x : y; }), a,
                b);
}

// ---- tensor ∘ constant ---------------------------------------------------------

namespace {
// a + c (and a - c, recorded as a + (-c)): d/da = 1
void add_const_vjp(TensorNode& n, const Tensor& g) { accumulate_input(n, 0, g); }
const Op add_const_op{"add_const",    "+ {:g}", &tensor_kind, run_backward<add_const_vjp>,
                      constant_label, nullptr,  kSavesNothing};
}  // namespace
Tensor operator+(const Tensor& a, double c) {
  return with_constant(add_const_op, map("add", a, [c](auto x) { return x + decltype(x)(c); }), a,
                       c);
}
Tensor operator+(double c, const Tensor& a) { return a + c; }
Tensor operator-(const Tensor& a, double c) {
  return with_constant(add_const_op, map("sub", a, [c](auto x) { return x - decltype(x)(c); }), a,
                       -c);
}

namespace {
// c - a: d/da = -1
void rsub_const_vjp(TensorNode& n, const Tensor& g) { accumulate_input(n, 0, -g); }
const Op rsub_const_op{"rsub_const",   "{:g} -", &tensor_kind, run_backward<rsub_const_vjp>,
                       constant_label, nullptr,  kSavesNothing};
}  // namespace
Tensor operator-(double c, const Tensor& a) {
  return with_constant(rsub_const_op, map("rsub", a, [c](auto x) { return decltype(x)(c) - x; }), a,
                       c);
}

namespace {
// a * c: d/da = c
void mul_const_vjp(TensorNode& n, const Tensor& g) { accumulate_input(n, 0, g * constant_of(n)); }
const Op mul_const_op{"mul_const",    "* {:g}", &tensor_kind, run_backward<mul_const_vjp>,
                      constant_label, nullptr,  kSavesNothing};
}  // namespace
Tensor operator*(const Tensor& a, double c) {
  return with_constant(mul_const_op, map("mul", a, [c](auto x) { return x * decltype(x)(c); }), a,
                       c);
}
Tensor operator*(double c, const Tensor& a) { return a * c; }

namespace {
// a / c: d/da = 1/c
void div_const_vjp(TensorNode& n, const Tensor& g) { accumulate_input(n, 0, g / constant_of(n)); }
const Op div_const_op{"div_const",    "/ {:g}", &tensor_kind, run_backward<div_const_vjp>,
                      constant_label, nullptr,  kSavesNothing};
}  // namespace
Tensor operator/(const Tensor& a, double c) {
  return with_constant(div_const_op, map("div", a, [c](auto x) { return x / decltype(x)(c); }), a,
                       c);
}

namespace {
// c / a: d/da = -c/a²
void rdiv_const_vjp(TensorNode& n, const Tensor& g) {
  const Tensor a = input(n, 0);
  accumulate_input(n, 0, -g * constant_of(n) / (a * a));
}
const Op rdiv_const_op{"rdiv_const", "{:g} /", &tensor_kind, run_backward<rdiv_const_vjp>,
                       constant_label};
}  // namespace
Tensor operator/(double c, const Tensor& a) {
  return with_constant(rdiv_const_op, map("rdiv", a, [c](auto x) { return decltype(x)(c) / x; }), a,
                       c);
}

// ---- tensor ∘ Scalar: the Scalar node is in[1], its gradient a plain number ----

namespace {
const char* const kTensorScalar[] = {"tensor", "scalar"};

// a + s: d/da = 1, d/ds = Σ g
void add_scalar_vjp(TensorNode& n, const Tensor& g) {
  accumulate_input(n, 0, g);
  as_scalar(n.in[1])->grad += sum(g).item();
}
const Op add_scalar_op{"add_scalar", "+ s",   &tensor_kind, run_backward<add_scalar_vjp>,
                       nullptr,      nullptr, kSavesNothing};
}  // namespace
Tensor operator+(const Tensor& a, const Scalar& s) {
  const double c = s.value();
  Tensor out = map("add", a, [c](auto x) { return x + decltype(x)(c); });
  record(out, add_scalar_op, {a.node(), s.node()});
  return out;
}
Tensor operator+(const Scalar& s, const Tensor& a) { return a + s; }
Tensor operator-(const Tensor& a, const Scalar& s) { return a + (-s); }

namespace {
// s - a: d/da = -1, d/ds = Σ g
void rsub_scalar_vjp(TensorNode& n, const Tensor& g) {
  accumulate_input(n, 0, -g);
  as_scalar(n.in[1])->grad += sum(g).item();
}
const Op rsub_scalar_op{"rsub_scalar", "s -",         &tensor_kind, run_backward<rsub_scalar_vjp>,
                        nullptr,       kTensorScalar, kSavesNothing};
}  // namespace
Tensor operator-(const Scalar& s, const Tensor& a) {
  const double c = s.value();
  Tensor out = map("rsub", a, [c](auto x) { return decltype(x)(c) - x; });
  record(out, rsub_scalar_op, {a.node(), s.node()});
  return out;
}

namespace {
// a * s: d/da = s, d/ds = Σ g·a
void mul_scalar_vjp(TensorNode& n, const Tensor& g) {
  accumulate_input(n, 0, g * as_scalar(n.in[1])->value());
  as_scalar(n.in[1])->grad += sum(g * input(n, 0)).item();
}
const Op mul_scalar_op{"mul_scalar", "* s", &tensor_kind, run_backward<mul_scalar_vjp>};
}  // namespace
Tensor operator*(const Tensor& a, const Scalar& s) {
  const double c = s.value();
  Tensor out = map("mul", a, [c](auto x) { return x * decltype(x)(c); });
  record(out, mul_scalar_op, {a.node(), s.node()});
  return out;
}
Tensor operator*(const Scalar& s, const Tensor& a) { return a * s; }
Tensor operator/(const Tensor& a, const Scalar& s) { return a * (1.0 / s); }

}  // namespace ag

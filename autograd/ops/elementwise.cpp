// SPDX-License-Identifier: MIT
// Elementwise arithmetic with broadcasting and PyTorch's type promotion:
// tensor∘tensor, tensor∘constant (double or integer), floor division and
// remainder, and tensor powers (tensor∘Scalar: tensor_scalar.cpp). One block per op: derivative,
// table, forward. A broadcast input's gradient is summed back to its shape by accumulate_grad.
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "autograd/ops/kernels.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag {
using namespace detail;

namespace {

const char* const kLeftRight[] = {"a", "b"};  // operand names where order matters

// a and b in the dtype the op computes in (tensor_op.hpp: result_type).
struct Operands {
  Tensor a, b;
};
Operands promoted(const Tensor& a, const Tensor& b, std::string_view op) {
  const DType dtype = result_type(a, b, op);
  return {as_dtype(a, dtype), as_dtype(b, dtype)};
}
// The same for true division and pow: integers compute in the default float dtype.
Operands promoted_floating(const Tensor& a, const Tensor& b, std::string_view op) {
  const DType dtype = floating_type(result_type(a, b, op));
  return {as_dtype(a, dtype), as_dtype(b, dtype)};
}

// out = f(a, b) with broadcasting, unrecorded; a and b of one dtype (float,
// int64, or bool where `on_bool` says what bool arithmetic is: add is or,
// mul is and, as PyTorch's).
enum class OnBool { refuse, compute };
template <class F>
Tensor map2(std::string_view op, const Operands& in, F f, OnBool on_bool = OnBool::refuse) {
  const Tensor &a = in.a, &b = in.b;
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), op);
  if (a.dtype() == DType::boolean) {
    if (on_bool == OnBool::refuse) {
      fail<DTypeError>("{}: not defined for bool tensors ({} and {}); convert with to()", op,
                       a.shape(), b.shape());
    }
    Tensor out = empty_tensor(shape, DType::boolean, op);
    binary_map(a.data<bool>(), a.shape(), b.data<bool>(), b.shape(), out.data<bool>(), shape,
               [&](bool x, bool y) { return static_cast<bool>(f(x, y)); });
    return out;
  }
  Tensor out = empty_tensor(shape, a.dtype(), op);
  visit_numeric(a.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    binary_map(a.data<T>(), a.shape(), b.data<T>(), b.shape(), out.data<T>(), shape,
               [&](T x, T y) { return static_cast<T>(f(x, y)); });
  });
  return out;
}

Tensor binary(const Op& op, Tensor out, const Operands& in) {
  record(out, op, {in.a.node(), in.b.node()});
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
  const Operands in = promoted(a, b, "add");
  return binary(add_op,
                map2(
                    "add", in, [](auto x, auto y) { return x + y; }, OnBool::compute),
                in);
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
  const Operands in = promoted(a, b, "sub");
  return binary(sub_op, map2("sub", in, [](auto x, auto y) { return x - y; }), in);
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
  const Operands in = promoted(a, b, "mul");
  return binary(mul_op,
                map2(
                    "mul", in, [](auto x, auto y) { return x * y; }, OnBool::compute),
                in);
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
  const Operands in = promoted_floating(a, b, "div");  // true division, as PyTorch's
  return binary(div_op, map2("div", in, [](auto x, auto y) { return x / y; }), in);
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
  const Operands in = promoted_floating(a, b, "pow");
  return binary(pow_tensor_op, map2("pow", in, [](auto x, auto y) { return std::pow(x, y); }), in);
}

namespace {
// -a: d/da = -1
void neg_vjp(TensorNode& n, const Tensor& g) { accumulate_input(n, 0, -g); }
const Op neg_op{"neg", "neg", &tensor_kind, run_backward<neg_vjp>, nullptr, nullptr, kSavesNothing};
}  // namespace
Tensor operator-(const Tensor& a) {
  if (a.dtype() == DType::boolean) {
    fail<DTypeError>("neg: not defined for a bool tensor {} (use logical_not, or ~)", a.shape());
  }
  Tensor out = map_numeric("neg", a, [](auto x) { return -x; });
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
  const Operands in = promoted(a, b, "maximum");
  return binary(
      maximum_op,
      map2(
          "maximum", in, [](auto x, auto y) { return x > y || x != x ? x : y; }, OnBool::compute),
      in);
}
Tensor minimum(const Tensor& a, const Tensor& b) {
  const Operands in = promoted(a, b, "minimum");
  return binary(
      minimum_op,
      map2(
          "minimum", in, [](auto x, auto y) { return x < y || x != x ? x : y; }, OnBool::compute),
      in);
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

// ---- integers: constants, floor division, remainder -------------------------

namespace detail {
Tensor integer_constant(const Tensor& a, char op, std::int64_t c, bool c_first) {
  if (is_floating(a.dtype())) {  // a float tensor: the double constant's op
    const double d = static_cast<double>(c);
    switch (op) {
      case '+':
        return a + d;
      case '-':
        return c_first ? d - a : a - d;
      default:
        return a * d;
    }
  }
  // int64 (bool counts as 0 and 1): wrapping two's-complement arithmetic,
  // as PyTorch's int64 (never signed overflow, which would be undefined).
  const auto u = static_cast<std::uint64_t>(c);
  return map_numeric(
      op == '+'   ? "add"
      : op == '-' ? "sub"
                  : "mul",
      a, [=](auto x) {
        using T = decltype(x);
        if constexpr (std::is_same_v<T, std::int64_t>) {
          const auto v = static_cast<std::uint64_t>(x);
          const std::uint64_t r = op == '+' ? v + u : op == '*' ? v * u : c_first ? u - v : v - u;
          return static_cast<std::int64_t>(r);
        } else {
          return x;  // not reached: map_numeric runs int64 here
        }
      });
}
}  // namespace detail

namespace {
// An integer op's divisor must not be 0 (PyTorch: ZeroDivisionError).
void check_divisor(const Tensor& b, std::string_view op) {
  if (b.dtype() != DType::int64) return;
  const std::int64_t* d = b.data<std::int64_t>();
  for (std::int64_t i = 0, n = b.numel(); i < n; ++i) {
    if (d[i] == 0) fail<ValueError>("{}: integer division by zero (divisor {})", op, b.shape());
  }
}
// Floor division and its remainder, of integers without overflow.
std::int64_t floor_div(std::int64_t x, std::int64_t y) {
  if (y == -1) return static_cast<std::int64_t>(0 - static_cast<std::uint64_t>(x));  // INT64_MIN
  const std::int64_t q = x / y;
  return (x % y != 0 && ((x < 0) != (y < 0))) ? q - 1 : q;
}
}  // namespace

Tensor floor_divide(const Tensor& a, const Tensor& b) {
  Operands in = promoted(a, b, "floor_divide");
  if (in.a.dtype() == DType::boolean) in = {in.a.to(DType::int64), in.b.to(DType::int64)};
  check_divisor(in.b, "floor_divide");
  return map2("floor_divide", {in.a.detach(), in.b.detach()}, [](auto x, auto y) {
    using T = decltype(x);
    if constexpr (std::is_same_v<T, std::int64_t>) {
      return floor_div(x, y);
    } else if constexpr (std::is_floating_point_v<T>) {
      return std::floor(x / y);
    } else {
      return x;  // bool: not reached (converted to int64 above)
    }
  });
}

Tensor remainder(const Tensor& a, const Tensor& b) {
  Operands in = promoted(a, b, "remainder");
  if (in.a.dtype() == DType::boolean) in = {in.a.to(DType::int64), in.b.to(DType::int64)};
  if (is_floating(in.a.dtype())) {
    // a - floor(a/b)·b with floor(a/b) a constant: d/da = 1, d/db = -floor(a/b)
    return in.a - floor_divide(in.a, in.b) * in.b;
  }
  check_divisor(in.b, "remainder");
  return map2("remainder", in, [](auto x, auto y) {
    using T = decltype(x);
    if constexpr (std::is_same_v<T, std::int64_t>) {
      if (y == -1) return T{0};
      const T r = x % y;
      return r != 0 && ((r < 0) != (y < 0)) ? T(r + y) : r;
    } else {
      return x;  // not reached: int64 here
    }
  });
}

}  // namespace ag

// SPDX-License-Identifier: MIT
// Comparisons (bool masks, no gradient) and selection by mask: where,
// masked_fill. Gradients flow only through the selected elements.
#include <cmath>

#include "autograd/ops/kernels.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag {
using namespace detail;

namespace {

template <class F>
Tensor compare(std::string_view op, const Tensor& a_in, const Tensor& b_in, F f) {
  const DType dtype = result_type(a_in, b_in, op);
  const Tensor a = as_dtype(a_in.detach(), dtype), b = as_dtype(b_in.detach(), dtype);
  Tensor out = empty_tensor(broadcast_shapes(a.shape(), b.shape(), op), DType::boolean, op);
  visit_any(dtype, [&](auto zero) {
    using T = decltype(zero);
    binary_map(a.data<T>(), a.shape(), b.data<T>(), b.shape(), out.data<bool>(), out.shape(), f);
  });
  return out;
}

// The number c as a 0-d tensor to compare `a` with, as PyTorch wraps a
// Python number: in a float tensor's dtype; against an integer tensor as
// int64 when c is whole, else both in the default float dtype.
struct Compared {
  Tensor a, c;
};
Compared against(const Tensor& a, double c) {
  if (is_floating(a.dtype())) return {a, full({}, c, a.dtype())};
  if (c == std::floor(c) && std::fabs(c) < 9.2e18) return {a, full({}, c, DType::int64)};
  return {a.detach().to(default_dtype()), full({}, c, default_dtype())};
}

void check_mask(std::string_view op, const Tensor& mask) {
  if (mask.dtype() != DType::boolean) {
    fail<DTypeError>("{}: the mask must be bool, not {} (build it with a comparison)", op,
                     mask.dtype());
  }
}
}  // namespace

Tensor eq(const Tensor& a, const Tensor& b) {
  return compare("eq", a, b, [](auto x, auto y) { return x == y; });
}
Tensor ne(const Tensor& a, const Tensor& b) {
  return compare("ne", a, b, [](auto x, auto y) { return x != y; });
}
Tensor lt(const Tensor& a, const Tensor& b) {
  return compare("lt", a, b, [](auto x, auto y) { return x < y; });
}
Tensor le(const Tensor& a, const Tensor& b) {
  return compare("le", a, b, [](auto x, auto y) { return x <= y; });
}
Tensor gt(const Tensor& a, const Tensor& b) {
  return compare("gt", a, b, [](auto x, auto y) { return x > y; });
}
Tensor ge(const Tensor& a, const Tensor& b) {
  return compare("ge", a, b, [](auto x, auto y) { return x >= y; });
}
namespace {
Tensor with_number(const Tensor& a, double c, Tensor (*cmp)(const Tensor&, const Tensor&)) {
  const auto [x, k] = against(a, c);
  return cmp(x, k);
}
}  // namespace
Tensor eq(const Tensor& a, double c) { return with_number(a, c, eq); }
Tensor ne(const Tensor& a, double c) { return with_number(a, c, ne); }
Tensor lt(const Tensor& a, double c) { return with_number(a, c, lt); }
Tensor le(const Tensor& a, double c) { return with_number(a, c, le); }
Tensor gt(const Tensor& a, double c) { return with_number(a, c, gt); }
Tensor ge(const Tensor& a, double c) { return with_number(a, c, ge); }

// ---- logic on masks --------------------------------------------------------------

namespace {
// x != 0 as a bool mask (x itself when bool).
Tensor truth(const Tensor& x) {
  if (x.dtype() == DType::boolean) return x;
  return ne(x.detach(), zeros({}, x.dtype()));
}
void require_bool(const Tensor& x, std::string_view op) {
  if (x.dtype() != DType::boolean) {
    fail<DTypeError>(
        "{}: takes bool tensors, not {} {} (LibTorch's is bitwise on integers, not supported "
        "here; logical_{} takes any dtype)",
        op, x.dtype(), x.shape(),
        op == "~"   ? "not"
        : op == "&" ? "and"
        : op == "|" ? "or"
                    : "xor");
  }
}
}  // namespace
Tensor logical_and(const Tensor& a, const Tensor& b) {
  return compare("logical_and", truth(a), truth(b), [](bool x, bool y) { return x && y; });
}
Tensor logical_or(const Tensor& a, const Tensor& b) {
  return compare("logical_or", truth(a), truth(b), [](bool x, bool y) { return x || y; });
}
Tensor logical_xor(const Tensor& a, const Tensor& b) {
  return compare("logical_xor", truth(a), truth(b), [](bool x, bool y) { return x != y; });
}
Tensor logical_not(const Tensor& a) { return eq(truth(a), zeros({}, DType::boolean)); }
Tensor operator&(const Tensor& a, const Tensor& b) {
  require_bool(a, "&");
  require_bool(b, "&");
  return logical_and(a, b);
}
Tensor operator|(const Tensor& a, const Tensor& b) {
  require_bool(a, "|");
  require_bool(b, "|");
  return logical_or(a, b);
}
Tensor operator^(const Tensor& a, const Tensor& b) {
  require_bool(a, "^");
  require_bool(b, "^");
  return logical_xor(a, b);
}
Tensor operator~(const Tensor& a) {
  require_bool(a, "~");
  return logical_not(a);
}

namespace {
// cond ? a : b: the gradient flows to the chosen side
const char* const kTrueFalse[] = {"if true", "if false"};
struct WhereAttrs {
  Tensor cond;
};
void where_vjp(TensorNode& n, const Tensor& g) {
  const Tensor& cond = attrs<WhereAttrs>(n).cond;
  const Tensor zero = zeros({}, g.dtype());
  if (input_wants_grad(n, 0)) accumulate_input(n, 0, where(cond, g, zero));
  if (input_wants_grad(n, 1)) accumulate_input(n, 1, where(cond, zero, g));
}
const Op where_op{"where", "where",    &tensor_kind, run_backward<where_vjp>,
                  nullptr, kTrueFalse, kSavesNothing};
}  // namespace
Tensor where(const Tensor& cond, const Tensor& a_in, const Tensor& b_in) {
  check_mask("where", cond);
  const DType dtype = result_type(a_in, b_in, "where");
  const Tensor a = as_dtype(a_in, dtype), b = as_dtype(b_in, dtype);
  const Shape shape =
      broadcast_shapes(cond.shape(), broadcast_shapes(a.shape(), b.shape(), "where"), "where");
  // Broadcast the three operands: first a∘b chosen by cond via two passes.
  Tensor out = empty_tensor(shape, a.dtype(), "where");
  visit_any(a.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* o = out.data<T>();
    const bool* c = cond.data<bool>();
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    for_each_broadcast(
        cond.shape(), a.shape(), shape,
        [&](std::int64_t i, std::int64_t ic, std::int64_t ia) { o[i] = c[ic] ? pa[ia] : T{}; });
    for_each_broadcast(cond.shape(), b.shape(), shape,
                       [&](std::int64_t i, std::int64_t ic, std::int64_t ib) {
                         if (!c[ic]) o[i] = pb[ib];
                       });
  });
  if (record(out, where_op, {a.node(), b.node()})) out.node()->attrs.emplace(WhereAttrs{cond});
  return out;
}

Tensor masked_fill(const Tensor& a, const Tensor& mask, double value) {
  return where(mask, full({}, value, a.dtype()), a);
}

}  // namespace ag

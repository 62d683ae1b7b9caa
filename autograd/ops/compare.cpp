// SPDX-License-Identifier: MIT
// Comparisons (bool masks, no gradient) and selection by mask: where,
// masked_fill. Gradients flow only through the selected elements.
#include "autograd/ops/kernels.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag {
using namespace detail;

namespace {

template <class F>
Tensor compare(std::string_view op, const Tensor& a, const Tensor& b, F f) {
  if (a.dtype() != b.dtype()) {
    fail<DTypeError>("{}: dtypes differ ({} and {})", op, a.dtype(), b.dtype());
  }
  Tensor out = empty_tensor(broadcast_shapes(a.shape(), b.shape(), op), DType::boolean, op);
  visit_any(a.dtype(), [&](auto zero) {
    using T = decltype(zero);
    binary_map(a.data<T>(), a.shape(), b.data<T>(), b.shape(), out.data<bool>(), out.shape(), f);
  });
  return out;
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
Tensor gt(const Tensor& a, double c) { return gt(a, full({}, c, a.dtype())); }
Tensor lt(const Tensor& a, double c) { return lt(a, full({}, c, a.dtype())); }

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
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  check_mask("where", cond);
  if (a.dtype() != b.dtype()) {
    fail<DTypeError>("where: dtypes differ ({} and {})", a.dtype(), b.dtype());
  }
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

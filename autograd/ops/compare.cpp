// Comparisons (bool masks, no gradient) and selection by mask: where,
// masked_fill. Gradients flow only through the selected elements.
#include "autograd/ops/kernels.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag {
namespace detail {
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

// cond ? a : b; in[0] = a, in[1] = b, saved[0] = cond
void where_vjp(Node& n, const Tensor& g) {
  const Tensor& cond = as_tensor(n).saved[0];
  const Tensor zero = zeros({}, g.dtype());
  if (input_wants_grad(n, 0)) {
    accumulate_input(n, 0, sum_to(where(cond, g, zero), input_node(n, 0).shape));
  }
  if (input_wants_grad(n, 1)) {
    accumulate_input(n, 1, sum_to(where(cond, zero, g), input_node(n, 1).shape));
  }
}
const Op where_op{"where", "where", &tensor_kind, run_backward<where_vjp>};

}  // namespace
}  // namespace detail

Tensor eq(const Tensor& a, const Tensor& b) {
  return detail::compare("eq", a, b, [](auto x, auto y) { return x == y; });
}
Tensor ne(const Tensor& a, const Tensor& b) {
  return detail::compare("ne", a, b, [](auto x, auto y) { return x != y; });
}
Tensor lt(const Tensor& a, const Tensor& b) {
  return detail::compare("lt", a, b, [](auto x, auto y) { return x < y; });
}
Tensor le(const Tensor& a, const Tensor& b) {
  return detail::compare("le", a, b, [](auto x, auto y) { return x <= y; });
}
Tensor gt(const Tensor& a, const Tensor& b) {
  return detail::compare("gt", a, b, [](auto x, auto y) { return x > y; });
}
Tensor ge(const Tensor& a, const Tensor& b) {
  return detail::compare("ge", a, b, [](auto x, auto y) { return x >= y; });
}
Tensor gt(const Tensor& a, double c) { return gt(a, full({}, c, a.dtype())); }
Tensor lt(const Tensor& a, double c) { return lt(a, full({}, c, a.dtype())); }

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  detail::check_mask("where", cond);
  if (a.dtype() != b.dtype()) {
    detail::fail<DTypeError>("where: dtypes differ ({} and {})", a.dtype(), b.dtype());
  }
  const Shape shape = detail::broadcast_shapes(
      cond.shape(), detail::broadcast_shapes(a.shape(), b.shape(), "where"), "where");
  // Broadcast the three operands: first a∘b chosen by cond via two passes.
  Tensor out = detail::empty_tensor(shape, a.dtype(), "where");
  detail::visit_any(a.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* o = out.data<T>();
    const bool* c = cond.data<bool>();
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    detail::for_each_broadcast(
        cond.shape(), a.shape(), shape,
        [&](std::int64_t i, std::int64_t ic, std::int64_t ia) { o[i] = c[ic] ? pa[ia] : T{}; });
    detail::for_each_broadcast(cond.shape(), b.shape(), shape,
                               [&](std::int64_t i, std::int64_t ic, std::int64_t ib) {
                                 if (!c[ic]) o[i] = pb[ib];
                               });
  });
  if (detail::record(out, detail::where_op, {a.node(), b.node()})) {
    out.node()->saved = {cond};
  }
  return out;
}

Tensor masked_fill(const Tensor& a, const Tensor& mask, double value) {
  return where(mask, full({}, value, a.dtype()), a);
}

}  // namespace ag

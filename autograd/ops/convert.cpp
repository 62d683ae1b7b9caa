// Conversions that stay in the graph: between float dtypes, and from a
// one-element tensor to a Scalar node.
#include "autograd/ops/scalar_op.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag {
namespace detail {
namespace {

void to_vjp(Node& n, const Tensor& g) { accumulate_input(n, 0, g.to(input_node(n, 0).dtype)); }
const Op to_op{"to", "to", &tensor_kind, run_backward<to_vjp>};

// A scalar node whose input is a one-element tensor.
void to_scalar_backward(Node& n) {
  TensorNode& t = input_node(n, 0);
  if (t.requires_grad) accumulate_grad(t, full(t.shape, as_scalar(n).grad, t.dtype));
}
const Op to_scalar_op{"to_scalar", "scalar", &scalar_kind, to_scalar_backward};

}  // namespace
}  // namespace detail

Tensor Tensor::to(DType target) const {
  const Tensor& x = *this;
  if (x.dtype() == target) return x;
  Tensor out = detail::empty_tensor(x.shape(), target, "to");
  detail::visit_any(x.dtype(), [&](auto from) {
    using From = decltype(from);
    detail::visit_any(target, [&](auto to) {
      using To = decltype(to);
      const From* in = x.data<From>();
      To* o = out.data<To>();
      for (std::int64_t i = 0, n = x.numel(); i < n; ++i) o[i] = static_cast<To>(in[i]);
    });
  });
  if (is_floating(x.dtype()) && is_floating(target)) detail::record(out, detail::to_op, {node()});
  return out;
}

Scalar Tensor::to_scalar() const {
  const double value = item();
  return Scalar::adopt(detail::make_scalar(&detail::to_scalar_op, value, node()));
}

}  // namespace ag

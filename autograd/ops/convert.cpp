// SPDX-License-Identifier: MIT
// Conversions that stay in the graph: between float dtypes, and from a
// one-element tensor to a Scalar node. One block per op.
#include "autograd/ops/scalar_op.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag {
using namespace detail;

namespace {
// a copy in another float dtype: the gradient converted back
void to_vjp(TensorNode& n, const Tensor& g) {
  accumulate_input(n, 0, g.to(input_node(n, 0).dtype));
}
const Op to_op{"to", "to", &tensor_kind, run_backward<to_vjp>, nullptr, nullptr, kSavesNothing};
}  // namespace
Tensor Tensor::to(DType target) const {
  const Tensor& x = *this;
  if (x.dtype() == target) return x;
  Tensor out = empty_tensor(x.shape(), target, "to");
  visit_any(x.dtype(), [&](auto from) {
    using From = decltype(from);
    visit_any(target, [&](auto to) {
      using To = decltype(to);
      const From* in = x.data<From>();
      To* o = out.data<To>();
      for (std::int64_t i = 0, n = x.numel(); i < n; ++i) o[i] = convert_element<To>(in[i]);
    });
  });
  if (is_floating(x.dtype()) && is_floating(target)) record(out, to_op, {node()});
  return out;
}

namespace {
// A scalar node whose input is a one-element tensor: d/dx = 1. Gradients
// of Scalar nodes are plain numbers, so a gradient that passed through them
// cannot be differentiated again: under create_graph that is an error, not
// a silently missing term.
void to_scalar_vjp(ScalarNode& n, double g) {
  TensorNode& t = as_tensor(*n.in[0]);
  if (!t.requires_grad()) return;
  if (is_grad_enabled()) {
    fail<GraphError>(
        "to_scalar: create_graph cannot differentiate through Scalar nodes (their gradients are "
        "plain numbers); keep the computation in one-element tensors for higher-order gradients");
  }
  accumulate_grad(t, full(t.shape, g, t.dtype));
}
const Op to_scalar_op{"to_scalar", "scalar", &scalar_kind, run_backward<to_scalar_vjp>};
}  // namespace
Scalar Tensor::to_scalar() const {
  const double value = item();
  return Scalar::adopt(make_scalar(&to_scalar_op, value, node()));
}

}  // namespace ag

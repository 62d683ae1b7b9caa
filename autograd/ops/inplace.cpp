// SPDX-License-Identifier: MIT
// In-place writes of op results (a += b, index_put_): into the buffer when
// nothing records through it, else by taking the recorded result, so that
// gradients stay right without rewriting history.
#include "autograd/ops.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag::detail {

Tensor& write_in_place(Tensor& self, const Tensor& result, const char* op) {
  if (!is_floating(self.dtype()) && is_floating(result.dtype())) {
    fail<DTypeError>("{}: the result is {} but the tensor is {} {}; it cannot hold it", op,
                     result.dtype(), self.dtype(), self.shape());
  }
  if (!broadcasts_to(result.shape(), self.shape())) {
    fail<ShapeError>("{}: a result of shape {} does not fit the tensor's {}", op, result.shape(),
                     self.shape());
  }
  const bool records = is_grad_enabled() && (self.requires_grad() || result.requires_grad());
  if (records) {
    if (self.is_leaf() && self.requires_grad()) {
      fail<GraphError>(
          "{}: a leaf tensor that requires a gradient {} cannot be written in place while "
          "gradients are recorded (PyTorch refuses it too); write it under NoGradGuard",
          op, self.shape());
    }
    self = broadcast_to(as_dtype(result, self.dtype()), self.shape());
    return self;
  }
  self.assign(broadcast_to(as_dtype(result.detach(), self.dtype()), self.shape()));
  return self;
}

}  // namespace ag::detail

// SPDX-License-Identifier: MIT
// Sliding windows: as_strided reads overlapping windows of x (the im2col of
// convolutions and pools), and its adjoint adds each window's gradient
// back where it was read. Each is the other's vector-Jacobian product, so
// gradients of any order come from the pair. unfold and pad are built on
// them and on cat.
#include <algorithm>
#include <memory>

#include "autograd/ops/tensor_op.hpp"

namespace ag {
using namespace detail;

namespace {
struct Window {
  Shape source, size, stride;
  std::int64_t offset;
};
// Shared: three shapes do not fit OpAttrs' inline bytes.
struct WindowAttrs {
  std::shared_ptr<const Window> window;
};

Tensor windows(const Tensor& x, const std::shared_ptr<const Window>& w);
Tensor windows_adjoint(const Tensor& g, const std::shared_ptr<const Window>& w);

void windows_vjp(TensorNode& n, const Tensor& g) {
  const auto& w = attrs<WindowAttrs>(n).window;
  if (!accumulate_strided(n, 0, g, w->stride, w->offset)) {  // straight into the gradient
    accumulate_input(n, 0, windows_adjoint(g, w));
  }
}
void windows_adjoint_vjp(TensorNode& n, const Tensor& g) {
  accumulate_input(n, 0, windows(g, attrs<WindowAttrs>(n).window));
}
const Op windows_op{"as_strided", "as_strided", &tensor_kind, run_backward<windows_vjp>,
                    nullptr,      nullptr,      kSavesNothing};
const Op adjoint_op{"as_strided_backward",
                    "as_strided_backward",
                    &tensor_kind,
                    run_backward<windows_adjoint_vjp>,
                    nullptr,
                    nullptr,
                    kSavesNothing};

Tensor windows(const Tensor& x, const std::shared_ptr<const Window>& w) {
  Tensor out = strided_copy(x, w->size, w->stride, w->offset, "as_strided");
  if (record(out, windows_op, {x.node()})) out.node()->attrs.emplace(WindowAttrs{w});
  return out;
}

// Zeros of the source's shape with every element of g added where it was read.
Tensor windows_adjoint(const Tensor& g, const std::shared_ptr<const Window>& w) {
  Tensor out = zeros(w->source, g.dtype());
  add_strided(out, g, w->stride, w->offset);
  if (record(out, adjoint_op, {g.node()})) out.node()->attrs.emplace(WindowAttrs{w});
  return out;
}
}  // namespace

Tensor as_strided(const Tensor& x, const Shape& size, const Shape& stride, std::int64_t offset) {
  if (size.size() != stride.size()) {
    fail<ShapeError>("as_strided: size {} and stride {} differ in length", size, stride);
  }
  if (offset < 0) fail<ShapeError>("as_strided: negative offset {}", offset);
  std::int64_t last = offset;  // the farthest element read
  bool empty = false;
  for (std::size_t d = 0; d < size.size(); ++d) {
    if (size[d] < 0 || stride[d] < 0) {
      fail<ShapeError>("as_strided: negative size or stride in {} / {}", size, stride);
    }
    std::int64_t reach = 0;
    empty = empty || size[d] == 0;
    if (size[d] > 0 && (__builtin_mul_overflow(size[d] - 1, stride[d], &reach) ||
                        __builtin_add_overflow(last, reach, &last))) {
      fail<ShapeError>("as_strided: size {} with stride {} overflows", size, stride);
    }
  }
  if (!empty && last >= x.numel()) {
    fail<ShapeError>("as_strided: size {} stride {} offset {} reads element {} of {} in {}", size,
                     stride, offset, last, x.numel(), x.shape());
  }
  return windows(x.contiguous(),
                 std::make_shared<const Window>(Window{x.shape(), size, stride, offset}));
}

Tensor unfold(const Tensor& x, std::int64_t dim, std::int64_t size, std::int64_t step,
              std::int64_t dilation) {
  const int d = normalize_dim(dim, x.shape().size(), "unfold");
  if (size < 1 || step < 1 || dilation < 1) {
    fail<ShapeError>("unfold: size {}, step {} and dilation {} must be positive", size, step,
                     dilation);
  }
  const std::int64_t n = x.shape()[d], span = dilation * (size - 1) + 1;
  if (span > n) {
    fail<ShapeError>("unfold: a window of {} (size {}, dilation {}) is longer than dim {} of {}",
                     span, size, dilation, d, x.shape());
  }
  const Shape strides = contiguous_strides(x.shape());
  Shape out_size = x.shape(), out_stride = strides;
  out_size[d] = (n - span) / step + 1;
  out_stride[d] = strides[d] * step;
  out_size.push_back(size);
  out_stride.push_back(strides[d] * dilation);
  return as_strided(x, out_size, out_stride);
}

Tensor pad(const Tensor& x, const std::vector<std::int64_t>& pads, double value) {
  const std::size_t rank = x.shape().size();
  if (pads.size() % 2 != 0 || pads.size() / 2 > rank) {
    fail<ShapeError>("pad: {} pads for {}: need pairs, at most two per dim", pads.size(),
                     x.shape());
  }
  Tensor out = x;
  for (std::size_t k = 0; k < pads.size() / 2; ++k) {
    const std::int64_t before = pads[2 * k], after = pads[2 * k + 1];
    if (before < 0 || after < 0) fail<ShapeError>("pad: negative pad {} / {}", before, after);
    const std::int64_t d = static_cast<std::int64_t>(rank - 1 - k);
    std::vector<Tensor> parts;
    Shape edge = out.shape();
    if (before > 0) parts.push_back(full((edge[d] = before, edge), value, x.dtype()));
    parts.push_back(out);
    if (after > 0) parts.push_back(full((edge[d] = after, edge), value, x.dtype()));
    if (parts.size() > 1) out = cat(parts, d);
  }
  return out;
}

}  // namespace ag

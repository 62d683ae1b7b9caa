// SPDX-License-Identifier: MIT
// Sorting: sort and topk find int64 indices along a dim (no gradient) and
// take the values with gather, whose backward scatters the gradient back.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "autograd/ops/kernels.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag {
using namespace detail;

namespace {
// Per lane along `dim`: the indices that order it (stable; NaN after every
// number, as PyTorch), the first `keep` of them.
Tensor order(const Tensor& x, int dim, bool descending, std::int64_t keep) {
  const Shape& shape = x.shape();
  const std::int64_t outer = product(shape, 0, dim), size = shape[dim],
                     inner = product(shape, dim + 1, shape.size());
  Shape out_shape = shape;
  out_shape[dim] = keep;
  Tensor out = empty_tensor(out_shape, DType::int64, "sort");
  std::int64_t* o = out.data<std::int64_t>();
  visit_any(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.data<T>();
    std::vector<std::int64_t> idx(static_cast<std::size_t>(size));
    for (std::int64_t a = 0; a < outer; ++a) {
      for (std::int64_t i = 0; i < inner; ++i) {
        const T* lane = in + a * size * inner + i;
        auto at = [&](std::int64_t k) { return lane[k * inner]; };
        auto before = [&](std::int64_t p, std::int64_t q) {
          const T u = at(p), v = at(q);
          if (std::isnan(u) || std::isnan(v))
            return descending ? std::isnan(u) && !std::isnan(v) : !std::isnan(u) && std::isnan(v);
          return descending ? u > v : u < v;
        };
        std::iota(idx.begin(), idx.end(), 0);
        if (keep < size) {
          std::partial_sort(idx.begin(), idx.begin() + keep, idx.end(), [&](auto p, auto q) {
            return before(p, q) || (!before(q, p) && p < q);  // ties: the earlier index first
          });
        } else {
          std::stable_sort(idx.begin(), idx.end(), before);
        }
        for (std::int64_t k = 0; k < keep; ++k) o[(a * keep + k) * inner + i] = idx[k];
      }
    }
  });
  return out;
}
// x's elements at `indices` along `dim`: gather for floats (it carries the
// gradient), a plain copy for int64 and bool, which have none.
Tensor take(const Tensor& x, int dim, const Tensor& indices) {
  if (is_floating(x.dtype())) return gather(x, dim, indices);
  const Shape& shape = indices.shape();
  const std::int64_t outer = product(shape, 0, dim), keep = shape[dim],
                     inner = product(shape, dim + 1, shape.size()), size = x.shape()[dim];
  Tensor out = empty_tensor(shape, x.dtype(), "sort");
  const std::int64_t* idx = indices.data<std::int64_t>();
  visit_any(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.data<T>();
    T* o = out.data<T>();
    for (std::int64_t a = 0; a < outer; ++a)
      for (std::int64_t k = 0; k < keep; ++k)
        for (std::int64_t i = 0; i < inner; ++i) {
          const std::int64_t at = (a * keep + k) * inner + i;
          o[at] = in[(a * size + idx[at]) * inner + i];
        }
  });
  return out;
}
}  // namespace

ValuesIndices sort(const Tensor& x, std::int64_t dim, bool descending) {
  if (x.shape().empty()) return {x, zeros({}, DType::int64)};
  const int d = normalize_dim(dim, x.shape().size(), "sort");
  Tensor indices = order(x, d, descending, x.shape()[d]);
  return {take(x, d, indices), indices};
}

ValuesIndices topk(const Tensor& x, std::int64_t k, std::int64_t dim, bool largest) {
  const Tensor lanes = x.shape().empty() ? reshape(x, {1}) : x;
  const int d = normalize_dim(dim, lanes.shape().size(), "topk");
  if (k < 0 || k > lanes.shape()[d]) {
    fail<ShapeError>("topk: k = {} is out of range for dim {} of size {} in {}", k, d,
                     lanes.shape()[d], x.shape());
  }
  Tensor indices = order(lanes, d, largest, k);
  Tensor values = take(lanes, d, indices);
  if (x.shape().empty()) return {reshape(values, {}), reshape(indices, {})};
  return {values, indices};
}

}  // namespace ag

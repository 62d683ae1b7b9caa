// SPDX-License-Identifier: MIT
// Sorting: sort and topk find int64 indices along a dim (no gradient) and
// take the values with gather, whose backward scatters the gradient back
// (gather copies int64 and bool too, which carry no gradient).
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
  Shape out_shape = x.shape();
  out_shape[dim] = keep;
  Tensor out = empty_tensor(out_shape, DType::int64, "sort");
  std::int64_t* o = out.data<std::int64_t>();
  visit_any(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.data<T>();
    // a plain struct, not a structured binding: the lambdas below capture it
    const Lanes shape = lanes(x.shape(), dim);
    const std::int64_t outer = shape.outer, size = shape.size, inner = shape.inner;
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
}  // namespace

ValuesIndices sort(const Tensor& x, std::int64_t dim, bool descending) {
  if (x.shape().empty()) return {x, zeros({}, DType::int64)};
  const int d = normalize_dim(dim, x.shape().size(), "sort");
  Tensor indices = order(x, d, descending, x.shape()[d]);
  return {gather(x, d, indices), indices};
}

ValuesIndices topk(const Tensor& x, std::int64_t k, std::int64_t dim, bool largest) {
  const Tensor ranked = x.shape().empty() ? reshape(x, {1}) : x;
  const int d = normalize_dim(dim, ranked.shape().size(), "topk");
  if (k < 0 || k > ranked.shape()[d]) {
    fail<ShapeError>("topk: k = {} is out of range for dim {} of size {} in {}", k, d,
                     ranked.shape()[d], x.shape());
  }
  Tensor indices = order(ranked, d, largest, k);
  Tensor values = gather(ranked, d, indices);
  if (x.shape().empty()) return {reshape(values, {}), reshape(indices, {})};
  return {values, indices};
}

}  // namespace ag

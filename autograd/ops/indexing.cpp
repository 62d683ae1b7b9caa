// SPDX-License-Identifier: MIT
// LibTorch's indexing (ops_index.hpp), composed of differentiable ops:
// integers select, slices slice, None unsqueezes; index tensors (and masks,
// as their nonzero positions) become one flat index_select over the dims
// they index. index_put writes through the same positions, found by
// indexing a tensor of element numbers.
#include <algorithm>
#include <numeric>

#include "autograd/ops.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag {
using namespace detail;
using indexing::EllipsisIndex;
using indexing::NoneIndex;
using indexing::Slice;

TensorIndex::TensorIndex(const char* text) : entry_(indexing::Ellipsis) {
  if (std::string_view(text) != "...") {
    fail<ValueError>("index: '{}' is not an index (the only string is \"...\")", text);
  }
}

namespace {

// How many dims of x an entry consumes.
std::int64_t consumed(const TensorIndex::Entry& e) {
  if (std::holds_alternative<NoneIndex>(e) || std::holds_alternative<EllipsisIndex>(e)) return 0;
  if (const Tensor* t = std::get_if<Tensor>(&e)) return t->dtype() == DType::boolean ? t->dim() : 1;
  return 1;
}

// An index tensor's positions, checked against `size` and made nonnegative.
Tensor positions_in(const Tensor& index, std::int64_t size, std::int64_t dim) {
  if (index.dtype() != DType::int64) {
    fail<DTypeError>("index: an index tensor must be int64 or bool, got {} {}", index.dtype(),
                     index.shape());
  }
  Tensor out = index.detach();
  const std::int64_t* p = out.data<std::int64_t>();
  bool negative = false;
  for (std::int64_t i = 0, n = out.numel(); i < n; ++i) {
    if (p[i] < -size || p[i] >= size) {
      fail<IndexError>("index: index {} is out of bounds for dim {} of size {}", p[i], dim, size);
    }
    negative = negative || p[i] < 0;
  }
  if (!negative) return out;
  return where(lt(out, 0.0), out + size, out);
}

}  // namespace

Tensor index(const Tensor& x, const std::vector<TensorIndex>& indices) {
  // Expand "..." into full slices; a mask stands for its nonzero positions.
  std::int64_t used = 0, ellipses = 0;
  for (const TensorIndex& i : indices) {
    used += consumed(i.entry());
    ellipses += std::holds_alternative<EllipsisIndex>(i.entry());
  }
  if (ellipses > 1) fail<IndexError>("index: an index can only have a single ellipsis");
  if (used > x.dim()) {
    fail<IndexError>("index: too many indices for a tensor of {} dims ({} given)", x.dim(), used);
  }
  // Basic indexing first; advanced entries keep their dim (a full slice),
  // remembered as (dim in the result, positions).
  Tensor r = x;
  std::int64_t d = 0;  // the next dim of r
  std::vector<std::pair<std::int64_t, Tensor>> advanced;
  for (const TensorIndex& i : indices) {
    const TensorIndex::Entry& e = i.entry();
    if (const auto* k = std::get_if<std::int64_t>(&e)) {
      r = select(r, d, *k);
    } else if (const auto* s = std::get_if<Slice>(&e)) {
      if (s->step && *s->step <= 0)
        fail<ValueError>("index: slice step {} must be positive", *s->step);
      r = slice(r, d, s->start.value_or(0), s->stop.value_or(INT64_MAX), s->step.value_or(1));
      ++d;
    } else if (std::holds_alternative<NoneIndex>(e)) {
      r = unsqueeze(r, d++);
    } else if (std::holds_alternative<EllipsisIndex>(e)) {
      d += x.dim() - used;
    } else {
      const Tensor& t = std::get<Tensor>(e);
      if (t.dtype() == DType::boolean) {  // a mask over dims d .. d + t.dim()
        for (std::int64_t k = 0; k < t.dim(); ++k) {
          if (t.shape()[k] != r.shape()[d + k]) {
            fail<IndexError>(
                "index: the mask's shape {} does not match the indexed dims of shape {} at dim {}",
                t.shape(), r.shape(), d + k);
          }
        }
        const std::vector<Tensor> columns = where(t);
        for (const Tensor& c : columns) advanced.emplace_back(d++, c);
      } else {
        advanced.emplace_back(d, positions_in(t, r.shape()[d], d));
        ++d;
      }
    }
  }
  if (advanced.empty()) return r;
  // Advanced: the indexed dims moved first and flattened, one index_select
  // by the broadcast flat position, then reshaped.
  std::vector<Tensor> idx;
  for (const auto& a : advanced) idx.push_back(a.second);
  Shape shape;  // the index tensors broadcast together
  for (const Tensor& t : idx) shape = broadcast_shapes(shape, t.shape(), "index");
  std::vector<std::int64_t> order, rest;
  for (const auto& a : advanced) order.push_back(a.first);
  for (std::int64_t k = 0; k < r.dim(); ++k) {
    if (std::find(order.begin(), order.end(), k) == order.end()) rest.push_back(k);
  }
  std::vector<std::int64_t> perm = order;
  perm.insert(perm.end(), rest.begin(), rest.end());
  Tensor moved = permute(r, perm);
  Tensor flat_pos = zeros({}, DType::int64);
  std::int64_t span = 1;
  for (std::size_t k = idx.size(); k-- > 0;) {
    flat_pos = flat_pos + idx[k] * span;
    span *= r.shape()[order[k]];
  }
  Shape flat_shape{span};
  for (std::int64_t k : rest) flat_shape.push_back(r.shape()[k]);
  const Tensor picked =
      index_select(reshape(moved, flat_shape), 0, reshape(broadcast_to(flat_pos, shape), {-1}));
  Shape out_shape = shape;
  for (std::int64_t k : rest) out_shape.push_back(r.shape()[k]);
  Tensor out = reshape(picked, out_shape);
  // Adjacent index dims: their result dims stand where the first one was.
  bool adjacent = true;
  for (std::size_t k = 1; k < order.size(); ++k)
    adjacent = adjacent && order[k] == order[k - 1] + 1;
  if (!adjacent || order[0] == 0) return out;
  const auto nb = static_cast<std::int64_t>(shape.size());
  std::vector<std::int64_t> back;
  for (std::int64_t k = 0; k < order[0]; ++k) back.push_back(nb + k);  // the dims before
  for (std::int64_t k = 0; k < nb; ++k) back.push_back(k);
  for (std::int64_t k = nb + order[0]; k < out.dim(); ++k) back.push_back(k);
  return permute(out, back);
}

Tensor index_put(const Tensor& x, const std::vector<TensorIndex>& indices, const Tensor& values) {
  // The element numbers the index selects, then a flat scatter there.
  const Tensor numbers =
      reshape(arange(0, static_cast<double>(x.numel()), 1, DType::int64), x.shape());
  const Tensor at = index(numbers, indices);
  // Leading 1s of the values go first (x[1] = tensor([v]) works, as PyTorch's).
  Tensor v = as_dtype(values, x.dtype());
  while (v.dim() > at.dim() && v.shape()[0] == 1) v = squeeze(v, 0);
  v = broadcast_to(v, at.shape());
  if (!is_floating(x.dtype())) {  // no gradient: a plain copy with the writes
    Tensor out = empty_tensor(x.shape(), x.dtype(), "index_put");
    visit_any(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const std::int64_t* p = at.data<std::int64_t>();
      const T* src = v.data<T>();
      T* o = out.data<T>();
      std::copy(x.data<T>(), x.data<T>() + x.numel(), o);
      for (std::int64_t i = 0, n = at.numel(); i < n; ++i) o[p[i]] = src[i];
    });
    return out;
  }
  return reshape(scatter(reshape(x, {-1}), 0, reshape(at, {-1}), reshape(v, {-1})), x.shape());
}

Tensor nonzero(const Tensor& x) {
  const Tensor mask = ne(x.detach(), 0.0);
  const bool* m = mask.data<bool>();
  const std::int64_t n = mask.numel(), rank = x.dim();
  std::int64_t count = std::count(m, m + n, true);
  Tensor out = zeros({count, rank}, DType::int64);
  std::int64_t* o = out.data<std::int64_t>();
  const Shape strides = contiguous_strides(x.shape());
  for (std::int64_t i = 0, row = 0; i < n; ++i) {
    if (!m[i]) continue;
    for (std::int64_t k = 0; k < rank; ++k) o[row * rank + k] = (i / strides[k]) % x.shape()[k];
    ++row;
  }
  return out;
}

std::vector<Tensor> where(const Tensor& cond) {
  const Tensor nz = nonzero(cond);
  std::vector<Tensor> out;
  for (std::int64_t k = 0; k < cond.dim(); ++k) out.push_back(select(nz, 1, k));
  return out;
}

Tensor masked_select(const Tensor& x, const Tensor& mask) {
  if (mask.dtype() != DType::boolean) {
    fail<DTypeError>("masked_select: the mask must be bool, not {} {}", mask.dtype(), mask.shape());
  }
  const Shape shape = broadcast_shapes(x.shape(), mask.shape(), "masked_select");
  const Tensor m = broadcast_to(mask, shape);
  return index(broadcast_to(x, shape), {TensorIndex(m)});
}

// ---- Tensor's indexing members ------------------------------------------------

Tensor TensorMethods::index(std::initializer_list<TensorIndex> indices) const {
  return ag::index(self(), std::vector<TensorIndex>(indices));
}
Tensor TensorMethods::operator[](std::int64_t i) const { return ag::select(self(), 0, i); }
Tensor TensorMethods::operator[](const Tensor& i) const {
  return ag::index(self(), {TensorIndex(i)});
}
Tensor TensorMethods::masked_select(const Tensor& mask) const {
  return ag::masked_select(self(), mask);
}
Tensor TensorMethods::nonzero() const { return ag::nonzero(self()); }

Tensor& Tensor::index_put_(std::initializer_list<TensorIndex> indices, const Tensor& values) {
  return detail::write_in_place(*this, index_put(*this, std::vector<TensorIndex>(indices), values),
                                "index_put_");
}
Tensor& Tensor::index_put_(std::initializer_list<TensorIndex> indices, double value) {
  return index_put_(indices, full({}, value, dtype()));
}

}  // namespace ag

// SPDX-License-Identifier: MIT
// Rearranging ops: flip, repeat, expand, split/chunk, flatten/unflatten,
// tril/triu. All but flip are compositions of shape ops (reshape,
// broadcast_to, slice, where), so their gradients of any order come from
// those; flip is its own adjoint.
#include <algorithm>

#include "autograd/ops/kernels.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag {
using namespace detail;

namespace {
std::int64_t checked_mul(std::int64_t a, std::int64_t b, std::string_view op) {
  std::int64_t out;
  if (__builtin_mul_overflow(a, b, &out)) fail<ShapeError>("{}: size {} x {} overflows", op, a, b);
  return out;
}
std::int64_t checked_add(std::int64_t a, std::int64_t b, std::string_view op) {
  std::int64_t out;
  if (__builtin_add_overflow(a, b, &out)) fail<ShapeError>("{}: size {} + {} overflows", op, a, b);
  return out;
}
}  // namespace

namespace {
// x with the order along `dims` reversed: the gradient flipped the same way
struct FlipAttrs {
  std::vector<int> dims;
};
Tensor flip_dims(const Tensor& x, const std::vector<int>& dims);
void flip_vjp(TensorNode& n, const Tensor& g) {
  accumulate_input(n, 0, flip_dims(g, attrs<FlipAttrs>(n).dims));
}
const Op flip_op{"flip",  "flip",  &tensor_kind, run_backward<flip_vjp>,
                 nullptr, nullptr, kSavesNothing};
Tensor flip_dims(const Tensor& x, const std::vector<int>& dims) {
  // A strided copy starting at the far end of each flipped dim, walking back.
  Shape strides = contiguous_strides(x.shape());
  std::int64_t offset = 0;
  for (int d : dims) {
    if (x.shape()[d] > 0) offset += (x.shape()[d] - 1) * strides[d];
    strides[d] = -strides[d];
  }
  Tensor out = strided_copy(x, x.shape(), strides, offset, "flip");
  if (record(out, flip_op, {x.node()})) out.node()->attrs.emplace(FlipAttrs{dims});
  return out;
}
}  // namespace
Tensor flip(const Tensor& x, const Dims& dims) {
  std::vector<int> d;
  for (std::int64_t k : dims.vec()) d.push_back(normalize_dim(k, x.shape().size(), "flip"));
  return flip_dims(x, d);
}

// x tiled: a new size-r axis before each dim, broadcast, then merged.
Tensor repeat(const Tensor& x, const std::vector<std::int64_t>& repeats) {
  if (repeats.size() < x.shape().size()) {
    fail<ShapeError>("repeat: {} repeats for {} dims of {}", repeats.size(), x.shape().size(),
                     x.shape());
  }
  for (std::int64_t r : repeats)
    if (r < 0) fail<ShapeError>("repeat: negative repeat count {}", r);
  Shape padded(repeats.size() - x.shape().size(), 1);
  padded.insert(padded.end(), x.shape().begin(), x.shape().end());
  Shape pairs, wide, result;
  for (std::size_t d = 0; d < padded.size(); ++d) {
    pairs.insert(pairs.end(), {1, padded[d]});
    wide.insert(wide.end(), {repeats[d], padded[d]});
    result.push_back(checked_mul(repeats[d], padded[d], "repeat"));
  }
  return reshape(broadcast_to(reshape(x, pairs), wide), result);
}

Tensor expand(const Tensor& x, const Shape& sizes) {
  Shape target = sizes;
  const std::size_t lead = sizes.size() >= x.shape().size() ? sizes.size() - x.shape().size() : 0;
  for (std::size_t d = 0; d < target.size(); ++d) {
    if (target[d] != -1) continue;
    if (d < lead) fail<ShapeError>("expand: -1 at new leading dim {} of {}", d, sizes);
    target[d] = x.shape()[d - lead];
  }
  return broadcast_to(x, target);
}

std::vector<Tensor> split(const Tensor& x, std::int64_t split_size, std::int64_t dim) {
  const int d = normalize_dim(dim, x.shape().size(), "split");
  if (split_size <= 0) fail<ValueError>("split: size {} must be positive", split_size);
  std::vector<Tensor> parts;
  for (std::int64_t start = 0; start < x.shape()[d]; start += split_size) {
    parts.push_back(slice(x, d, start, std::min(x.shape()[d], start + split_size)));
  }
  if (parts.empty()) parts.push_back(x);
  return parts;
}

std::vector<Tensor> split(const Tensor& x, const std::vector<std::int64_t>& sizes,
                          std::int64_t dim) {
  const int d = normalize_dim(dim, x.shape().size(), "split");
  std::int64_t total = 0;
  for (std::int64_t s : sizes) {
    if (s < 0) fail<ValueError>("split: negative size {} in {}", s, sizes);
    total = checked_add(total, s, "split");
  }
  if (total != x.shape()[d]) {
    fail<ShapeError>("split: sizes {} add up to {}, not dim {}'s size {} of {}", sizes, total, d,
                     x.shape()[d], x.shape());
  }
  std::vector<Tensor> parts;
  std::int64_t start = 0;
  for (std::int64_t s : sizes) {
    parts.push_back(slice(x, d, start, start + s));
    start += s;
  }
  return parts;
}

std::vector<Tensor> chunk(const Tensor& x, std::int64_t chunks, std::int64_t dim) {
  if (chunks <= 0) fail<ValueError>("chunk: {} chunks must be positive", chunks);
  const int d = normalize_dim(dim, x.shape().size(), "chunk");
  const std::int64_t size = x.shape()[d];
  return split(x, std::max<std::int64_t>(1, size / chunks + (size % chunks != 0)), d);
}

Tensor flatten(const Tensor& x, std::int64_t start_dim, std::int64_t end_dim) {
  if (x.shape().empty()) return reshape(x, {1});
  const int s = normalize_dim(start_dim, x.shape().size(), "flatten");
  const int e = normalize_dim(end_dim, x.shape().size(), "flatten");
  if (s > e) fail<ShapeError>("flatten: start_dim {} is after end_dim {}", start_dim, end_dim);
  Shape shape(x.shape().begin(), x.shape().begin() + s);
  shape.push_back(product(x.shape(), s, e + 1));
  shape.insert(shape.end(), x.shape().begin() + e + 1, x.shape().end());
  return reshape(x, shape);
}

Tensor unflatten(const Tensor& x, std::int64_t dim, const Shape& sizes) {
  const int d = normalize_dim(dim, x.shape().size(), "unflatten");
  Shape inner = sizes;
  std::int64_t known = 1, unknown = -1;
  for (std::size_t k = 0; k < inner.size(); ++k) {
    if (inner[k] == -1 && unknown < 0) {
      unknown = static_cast<std::int64_t>(k);
    } else if (inner[k] < 0) {
      fail<ShapeError>("unflatten: sizes {} may hold one -1 and no other negative", sizes);
    } else {
      known = checked_mul(known, inner[k], "unflatten");
    }
  }
  if (unknown >= 0 && known > 0) inner[unknown] = x.shape()[d] / known;
  if (product(inner, 0, inner.size()) != x.shape()[d]) {
    fail<ShapeError>("unflatten: sizes {} do not multiply to dim {}'s size {} of {}", sizes, d,
                     x.shape()[d], x.shape());
  }
  Shape shape(x.shape().begin(), x.shape().begin() + d);
  shape.insert(shape.end(), inner.begin(), inner.end());
  shape.insert(shape.end(), x.shape().begin() + d + 1, x.shape().end());
  return reshape(x, shape);
}

namespace {
// x where col - row <= k (tril) or >= k (triu) in the last two dims, else 0
Tensor triangle(const Tensor& x, std::int64_t k, bool lower, std::string_view op) {
  if (x.shape().size() < 2) fail<ShapeError>("{}: needs 2 or more dims, got {}", op, x.shape());
  const std::int64_t rows = x.shape()[x.shape().size() - 2], cols = x.shape().back();
  const Tensor r = reshape(arange(0, static_cast<double>(rows), 1, DType::float64), {rows, 1});
  const Tensor c = reshape(arange(0, static_cast<double>(cols), 1, DType::float64), {1, cols});
  const Tensor offset = full({}, static_cast<double>(k), DType::float64);
  const Tensor keep = lower ? le(c - r, offset) : ge(c - r, offset);
  return where(keep, x, zeros({}, x.dtype()));
}
}  // namespace
Tensor tril(const Tensor& x, std::int64_t diagonal) { return triangle(x, diagonal, true, "tril"); }
Tensor triu(const Tensor& x, std::int64_t diagonal) { return triangle(x, diagonal, false, "triu"); }

// x shifted by `shifts[k]` along `dims[k]`, wrapping around (torch.roll):
// two slices concatenated, so it differentiates; no dims: the flat tensor.
Tensor roll(const Tensor& x, const std::vector<std::int64_t>& shifts,
            const std::vector<std::int64_t>& dims) {
  if (dims.empty()) {
    if (shifts.size() != 1) {
      fail<ShapeError>("roll: without dims, one shift (got {})", shifts.size());
    }
    return reshape(roll(reshape(x, {-1}), shifts, {0}), x.shape());
  }
  if (shifts.size() != dims.size()) {
    fail<ShapeError>("roll: {} shifts for {} dims", shifts.size(), dims.size());
  }
  Tensor out = x;
  for (std::size_t k = 0; k < dims.size(); ++k) {
    const int d = normalize_dim(dims[k], x.shape().size(), "roll");
    const std::int64_t size = x.shape()[d];
    if (size == 0) continue;
    const std::int64_t s = ((shifts[k] % size) + size) % size;  // in [0, size)
    if (s == 0) continue;
    out = cat({slice(out, d, size - s, size), slice(out, d, 0, size - s)}, d);
  }
  return out;
}

}  // namespace ag

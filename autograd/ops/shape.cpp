// SPDX-License-Identifier: MIT
// Shape ops: reshape (a view), permute/transpose, squeeze/unsqueeze,
// cat/stack, slice/select. Each backward is another op of this file
// (slice ↔ slice_scatter, cat ↔ slice), so gradients of any order work.
// One block per op.
#include <array>
#include <numeric>

#include "autograd/ops/kernels.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag {
using namespace detail;

namespace {
// same data, new shape: the gradient reshaped back
void reshape_vjp(TensorNode& n, const Tensor& g) {
  accumulate_input(n, 0, reshape(g, input_node(n, 0).shape));
}
const Op reshape_op{"reshape", "reshape", &tensor_kind, run_backward<reshape_vjp>,
                    nullptr,   nullptr,   kSavesNothing};
}  // namespace
Tensor reshape(const Tensor& x, const Shape& shape) {
  Shape target = shape;
  std::int64_t known = 1;
  int inferred = -1;
  for (std::size_t k = 0; k < target.size(); ++k) {
    if (target[k] == -1 && inferred < 0) {
      inferred = static_cast<int>(k);
    } else if (target[k] < 0) {
      fail<ShapeError>("reshape: invalid size {} in {}", target[k], shape);
    } else if (__builtin_mul_overflow(known, target[k], &known)) {
      fail<ShapeError>("reshape: {} has too many elements", shape);
    }
  }
  if (inferred >= 0) {
    if (known == 0 || x.numel() % known != 0) {
      fail<ShapeError>("reshape: cannot reshape {} ({} elements) into {}", x.shape(), x.numel(),
                       shape);
    }
    target[inferred] = x.numel() / known;
  }
  if (checked_numel(target, "reshape") != x.numel()) {
    fail<ShapeError>("reshape: cannot reshape {} ({} elements) into {}", x.shape(), x.numel(),
                     shape);
  }
  Tensor out = empty_tensor({}, x.dtype(), "reshape");
  out.node()->shape = target;
  out.node()->storage = x.node()->storage;  // a view: same buffer
  record(out, reshape_op, {x.node()});
  return out;
}

namespace {
// dims reordered: the gradient permuted back by the inverse permutation
struct PermuteAttrs {
  std::array<std::int8_t, Shape::kMaxRank> perm;  // compact: a node keeps it until backward
  std::size_t rank;
};
void permute_vjp(TensorNode& n, const Tensor& g) {
  const auto& [perm, rank] = attrs<PermuteAttrs>(n);
  std::vector<std::int64_t> inverse(rank);
  for (std::size_t k = 0; k < rank; ++k) inverse[perm[k]] = static_cast<std::int64_t>(k);
  accumulate_input(n, 0, permute(g, inverse));
}
const Op permute_op{"permute", "permute", &tensor_kind, run_backward<permute_vjp>,
                    nullptr,   nullptr,   kSavesNothing};
}  // namespace
Tensor permute(const Tensor& x, const std::vector<std::int64_t>& dims) {
  const std::size_t rank = x.shape().size();
  if (dims.size() != rank) {
    fail<ShapeError>("permute: {} dims given for a {}-d tensor (shape {})", dims.size(), rank,
                     x.shape());
  }
  Shape perm(rank), out_shape(rank), strides(rank);
  std::vector<bool> used(rank, false);
  const Shape in_strides = contiguous_strides(x.shape());
  for (std::size_t k = 0; k < rank; ++k) {
    perm[k] = normalize_dim(dims[k], rank, "permute");
    if (used[perm[k]]) fail<ShapeError>("permute: dim {} repeats in {}", perm[k], dims);
    used[perm[k]] = true;
    out_shape[k] = x.shape()[perm[k]];
    strides[k] = in_strides[perm[k]];
  }
  Tensor out = strided_copy(x, out_shape, strides, 0, "permute");
  if (record(out, permute_op, {x.node()})) {
    PermuteAttrs attrs{{}, rank};
    for (std::size_t k = 0; k < rank; ++k) attrs.perm[k] = static_cast<std::int8_t>(perm[k]);
    out.node()->attrs.emplace(attrs);
  }
  return out;
}

Tensor transpose(const Tensor& x, std::int64_t dim0, std::int64_t dim1) {
  const std::size_t rank = x.shape().size();
  std::vector<std::int64_t> perm(rank);
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[normalize_dim(dim0, rank, "transpose")],
            perm[normalize_dim(dim1, rank, "transpose")]);
  return permute(x, perm);
}

Tensor unsqueeze(const Tensor& x, std::int64_t dim) {
  Shape shape = x.shape();
  const int d = normalize_dim(dim, shape.size() + 1, "unsqueeze");
  shape.insert(shape.begin() + d, 1);
  return reshape(x, shape);
}

Tensor squeeze(const Tensor& x, std::optional<std::int64_t> dim) {
  Shape shape;
  const int only = dim ? normalize_dim(*dim, x.shape().size(), "squeeze") : -1;
  for (std::size_t k = 0; k < x.shape().size(); ++k) {
    const bool drop = x.shape()[k] == 1 && (only < 0 || only == static_cast<int>(k));
    if (!drop) shape.push_back(x.shape()[k]);
  }
  return reshape(x, shape);
}

namespace {
// x[start:stop:step] along dim and its adjoint, slice_scatter (g placed into
// zeros of the input's shape): each the other's backward
struct SliceAttrs {
  int dim;
  std::int64_t start, step;
};
Tensor slice_scatter(const Tensor& g, const Shape& full, const SliceAttrs& at);

// Where a slice's elements sit in its input: strides and first element.
std::pair<Shape, std::int64_t> slice_places(const Shape& full, const SliceAttrs& at) {
  Shape place = contiguous_strides(full);
  const std::int64_t offset = at.start * place[at.dim];
  place[at.dim] *= at.step;
  return {place, offset};
}

void slice_vjp(TensorNode& n, const Tensor& g) {
  const SliceAttrs& at = attrs<SliceAttrs>(n);
  const Shape& full = input_node(n, 0).shape;
  const auto [place, offset] = slice_places(full, at);
  if (!accumulate_strided(n, 0, g, place, offset)) {
    accumulate_input(n, 0, slice_scatter(g, full, at));
  }
}
const Op slice_op{"slice", "slice", &tensor_kind, run_backward<slice_vjp>,
                  nullptr, nullptr, kSavesNothing};

void slice_scatter_vjp(TensorNode& n, const Tensor& g) {
  const auto& [dim, start, step] = attrs<SliceAttrs>(n);
  const std::int64_t len = input_node(n, 0).shape[dim];
  accumulate_input(n, 0, slice(g, dim, start, start + (len - 1) * step + 1, step));
}
const Op slice_scatter_op{
    "slice_scatter", "slice_scatter", &tensor_kind, run_backward<slice_scatter_vjp>,
    nullptr,         nullptr,         kSavesNothing};

Tensor slice_scatter(const Tensor& g, const Shape& full, const SliceAttrs& at) {
  Tensor out = zeros(full, g.dtype());
  const auto [place, offset] = slice_places(full, at);
  add_strided(out, g, place, offset);  // into zeros: each place once
  if (record(out, slice_scatter_op, {g.node()})) out.node()->attrs.emplace(at);
  return out;
}
}  // namespace
Tensor slice(const Tensor& x, std::int64_t dim, std::int64_t start, std::int64_t stop,
             std::int64_t step) {
  const int d = normalize_dim(dim, x.shape().size(), "slice");
  if (step <= 0) fail<ValueError>("slice: step must be positive, got {}", step);
  const std::int64_t size = x.shape()[d];
  auto clamp_index = [size](std::int64_t i) {
    if (i < 0) i += size;
    return std::clamp<std::int64_t>(i, 0, size);
  };
  start = clamp_index(start);
  stop = std::max(clamp_index(stop), start);
  // A step past the span takes only its first element: the same as a step
  // of the span, whose stride cannot overflow (the fuzzer's INT64_MAX).
  step = std::min(step, std::max<std::int64_t>(stop - start, 1));
  Shape out_shape = x.shape();
  out_shape[d] = stop > start ? (stop - start - 1) / step + 1 : 0;
  Shape strides = contiguous_strides(x.shape());
  const std::int64_t offset = start * strides[d];
  strides[d] *= step;
  Tensor out = strided_copy(x, out_shape, strides, offset, "slice");
  if (record(out, slice_op, {x.node()})) out.node()->attrs.emplace(SliceAttrs{d, start, step});
  return out;
}

Tensor select(const Tensor& x, std::int64_t dim, std::int64_t index) {
  const int d = normalize_dim(dim, x.shape().size(), "select");
  const std::int64_t size = x.shape()[d];
  if (index < -size || index >= size) {
    fail<IndexError>("select: index {} is out of range for dim {} of size {} (shape {})", index, d,
                     size, x.shape());
  }
  if (index < 0) index += size;
  return squeeze(slice(x, d, index, index + 1), d);
}

namespace {
// joined along a dim: input k's gradient is its slice of g
struct CatAttrs {
  int dim;
  std::vector<std::int64_t> sizes;  // of each input along dim
};
void cat_vjp(TensorNode& n, const Tensor& g) {
  const auto& [dim, sizes] = attrs<CatAttrs>(n);
  std::int64_t start = 0;
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    const int input_index = static_cast<int>(k);
    if (input_wants_grad(n, input_index)) {
      accumulate_input(n, input_index, slice(g, dim, start, start + sizes[k]));
    }
    start += sizes[k];
  }
}
const Op cat_op{"cat", "cat", &tensor_kind, run_backward<cat_vjp>, nullptr, nullptr, kSavesNothing};

Tensor cat_forward(const std::vector<Tensor>& xs, int dim) {
  const Shape& first = xs[0].shape();
  Shape shape = first;
  shape[dim] = 0;
  for (const Tensor& x : xs) {
    if (x.dtype() != xs[0].dtype()) {
      fail<DTypeError>("cat: dtypes differ ({} and {})", xs[0].dtype(), x.dtype());
    }
    bool fits = x.shape().size() == first.size();
    for (std::size_t k = 0; fits && k < first.size(); ++k) {
      fits = static_cast<int>(k) == dim || x.shape()[k] == first[k];
    }
    if (!fits) {
      fail<ShapeError>("cat: shapes {} and {} differ outside dim {}", first, x.shape(), dim);
    }
    if (__builtin_add_overflow(shape[dim], x.shape()[dim], &shape[dim])) {
      fail<ShapeError>("cat: the joined dim {} has too many elements", dim);
    }
  }
  Tensor out = empty_tensor(shape, xs[0].dtype(), "cat");
  const std::int64_t outer = out.numel() ? product(shape, 0, dim) : 0;  // empty: nothing to copy
  const std::size_t elem = dtype_size(out.dtype());
  std::byte* o = out.node()->storage.get();
  const std::int64_t row = product(shape, dim, shape.size());
  std::int64_t column = 0;
  for (const Tensor& x : xs) {
    const std::int64_t chunk = product(x.shape(), dim, x.shape().size());
    const std::byte* in = x.node()->storage.get();
    for (std::int64_t a = 0; a < outer; ++a) {
      std::copy_n(in + a * chunk * elem, chunk * elem, o + (a * row + column) * elem);
    }
    column += chunk;
  }
  return out;
}

}  // namespace
Tensor cat(const std::vector<Tensor>& xs, std::int64_t dim) {
  if (xs.empty()) fail<ShapeError>("cat: no tensors given");
  const int d = normalize_dim(dim, xs[0].shape().size(), "cat");
  Tensor out = cat_forward(xs, d);
  std::vector<Node*> nodes;
  for (const Tensor& x : xs) nodes.push_back(x.node());
  if (record(out, cat_op, nodes)) {
    std::vector<std::int64_t> sizes;
    for (const Tensor& x : xs) sizes.push_back(x.shape()[d]);
    out.node()->attrs.emplace(CatAttrs{d, std::move(sizes)});
  }
  return out;
}

Tensor stack(const std::vector<Tensor>& xs, std::int64_t dim) {
  if (xs.empty()) fail<ShapeError>("stack: no tensors given");
  const int d = normalize_dim(dim, xs[0].shape().size() + 1, "stack");
  std::vector<Tensor> expanded;
  for (const Tensor& x : xs) {
    if (x.shape() != xs[0].shape()) {
      fail<ShapeError>("stack: shapes {} and {} differ", xs[0].shape(), x.shape());
    }
    expanded.push_back(unsqueeze(x, d));
  }
  return cat(expanded, d);
}

}  // namespace ag

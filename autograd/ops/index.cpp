// SPDX-License-Identifier: MIT
// Indexing ops: index_select ↔ index_add, gather ↔ scatter_add (each the
// other's adjoint, so gradients of any order work), and embedding lookups,
// whose gradient can also be produced as sparse rows; public scatter and
// scatter_add, and one_hot. One block per op.
#include "autograd/ops/kernels.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag {
using namespace detail;

namespace {

void check_index(std::string_view op, const Tensor& index, std::int64_t size) {
  if (index.dtype() != DType::int64) {
    fail<DTypeError>("{}: indices must be int64, not {}", op, index.dtype());
  }
  const std::int64_t* p = index.data<std::int64_t>();
  for (std::int64_t i = 0, n = index.numel(); i < n; ++i) {
    if (p[i] < 0 || p[i] >= size) {
      fail<IndexError>("{}: index {} is out of range for a dim of size {}", op, p[i], size);
    }
  }
}

// The dim an index op works along, and its int64 indices.
struct IndexAttrs {
  int dim;
  Tensor index;
};

}  // namespace

namespace {
// index_add(zeros(full), dim, index, g): rows of g added at `index` along
// dim, the adjoint of index_select (whose gradient is index_select again)
void index_add_vjp(TensorNode& n, const Tensor& g) {
  const auto& [dim, index] = attrs<IndexAttrs>(n);
  accumulate_input(n, 0, index_select(g, dim, index));
}
const Op index_add_op{"index_add", "index_add", &tensor_kind, run_backward<index_add_vjp>,
                      nullptr,     nullptr,     kSavesNothing};

Tensor index_add(const Tensor& g, const Shape& full, int dim, const Tensor& index) {
  Tensor out = zeros(full, g.dtype());
  // An empty result or source has nothing to add; its outer count may still be huge.
  const bool empty = out.numel() == 0 || g.numel() == 0;
  const std::int64_t outer = empty ? 0 : product(full, 0, dim);
  const std::int64_t inner = product(full, dim + 1, full.size());
  const std::int64_t rows = full[dim], picked = index.numel();
  visit_floating(g.dtype(), "index_add", [&](auto zero) {
    using T = decltype(zero);
    const T* in = g.data<T>();
    T* o = out.data<T>();
    const std::int64_t* idx = index.data<std::int64_t>();
    for (std::int64_t a = 0; a < outer; ++a) {
      for (std::int64_t r = 0; r < picked; ++r) {
        const T* src = in + (a * picked + r) * inner;
        T* dst = o + (a * rows + idx[r]) * inner;
        for (std::int64_t k = 0; k < inner; ++k) dst[k] += src[k];
      }
    }
  });
  if (record(out, index_add_op, {g.node()})) out.node()->attrs.emplace(IndexAttrs{dim, index});
  return out;
}

}  // namespace
Tensor index_add(const Tensor& x, std::int64_t dim, const Tensor& index, const Tensor& source) {
  const int d = normalize_dim(dim, x.shape().size(), "index_add");
  Shape expected = x.shape();
  expected[d] = index.numel();
  if (source.shape() != expected || index.shape().size() > 1) {
    fail<ShapeError>("index_add: source {} does not fit x {} with {} indices along dim {}",
                     source.shape(), x.shape(), index.numel(), d);
  }
  check_index("index_add", index, x.shape()[d]);
  return x + index_add(source, x.shape(), d, reshape(index, {index.numel()}));
}

Tensor SparseGrad::to_dense(std::int64_t num_rows) const {
  if (!defined()) fail<GraphError>("SparseGrad::to_dense: there is no sparse gradient");
  NoGradGuard no_grad;
  return index_add(values, {num_rows, values.shape()[1]}, 0, rows);
}

namespace {
// rows (along dim) picked by an index: the gradient's rows added back there
void index_select_vjp(TensorNode& n, const Tensor& g) {
  const auto& [dim, index] = attrs<IndexAttrs>(n);
  accumulate_input(n, 0, index_add(g, input_node(n, 0).shape, dim, index));
}
const Op index_select_op{
    "index_select", "index_select", &tensor_kind, run_backward<index_select_vjp>,
    nullptr,        nullptr,        kSavesNothing};
}  // namespace
Tensor index_select(const Tensor& x, std::int64_t dim, const Tensor& index) {
  const int d = normalize_dim(dim, x.shape().size(), "index_select");
  if (index.shape().size() > 1) {
    fail<ShapeError>("index_select: the index must be 1-d, got shape {}", index.shape());
  }
  check_index("index_select", index, x.shape()[d]);
  Shape shape = x.shape();
  shape[d] = index.numel();
  Tensor out = empty_tensor(shape, x.dtype(), "index_select");
  // Nothing to copy into an empty result, however many rows its other dims claim.
  const std::int64_t outer = out.numel() ? product(shape, 0, d) : 0;
  const std::int64_t inner = product(shape, d + 1, shape.size());
  const std::size_t bytes = inner * dtype_size(x.dtype());
  const std::byte* in = x.node()->storage.get();
  std::byte* o = out.node()->storage.get();
  const std::int64_t* idx = index.data<std::int64_t>();
  for (std::int64_t a = 0; a < outer; ++a) {
    for (std::int64_t r = 0; r < index.numel(); ++r) {
      std::copy_n(in + (a * x.shape()[d] + idx[r]) * bytes, bytes,
                  o + (a * index.numel() + r) * bytes);
    }
  }
  if (record(out, index_select_op, {x.node()})) {
    out.node()->attrs.emplace(IndexAttrs{d, reshape(index, {index.numel()})});
  }
  return out;
}

// ---- gather and scatter_add, adjoint to each other -------------------------------

namespace {
// Calls f(index_flat, x_flat) for every element of `index`, where x_flat is
// the element of a tensor of shape `full` that it addresses along `dim`.
template <class F>
void for_each_gathered(const Tensor& index, const Shape& full, int dim, F&& f) {
  const Shape x_strides = contiguous_strides(full);
  const Shape& shape = index.shape();
  const std::int64_t* idx = index.data<std::int64_t>();
  std::vector<std::int64_t> at(shape.size(), 0);
  for (std::int64_t i = 0, n = index.numel(); i < n; ++i) {
    std::int64_t offset = 0;
    for (std::size_t d = 0; d < shape.size(); ++d) {
      offset += (static_cast<int>(d) == dim ? idx[i] : at[d]) * x_strides[d];
    }
    f(i, offset);
    for (std::size_t d = shape.size(); d-- > 0;) {
      if (++at[d] < shape[d]) break;
      at[d] = 0;
    }
  }
}

void check_gather_index(std::string_view op, const Shape& full, int dim, const Tensor& index) {
  if (index.shape().size() != full.size()) {
    fail<ShapeError>("{}: index of shape {} must have the rank of {}", op, index.shape(), full);
  }
  for (std::size_t d = 0; d < full.size(); ++d) {
    if (static_cast<int>(d) != dim && index.shape()[d] > full[d]) {
      fail<ShapeError>("{}: index shape {} exceeds {} outside dim {}", op, index.shape(), full,
                       dim);
    }
  }
  check_index(op, index, full[dim]);
}

Tensor scatter_add(const Tensor& g, const Shape& full, int dim, const Tensor& index);

// out[i][j][k] = x[i][index[i][j][k]][k] (dim 1): the gradient scattered back
void gather_vjp(TensorNode& n, const Tensor& g) {
  const auto& [dim, index] = attrs<IndexAttrs>(n);
  accumulate_input(n, 0, scatter_add(g, input_node(n, 0).shape, dim, index));
}
const Op gather_op{"gather", "gather", &tensor_kind, run_backward<gather_vjp>,
                   nullptr,  nullptr,  kSavesNothing};

void scatter_add_vjp(TensorNode& n, const Tensor& g) {
  const auto& [dim, index] = attrs<IndexAttrs>(n);
  accumulate_input(n, 0, gather(g, dim, index));
}
const Op scatter_add_op{"scatter_add", "scatter_add", &tensor_kind, run_backward<scatter_add_vjp>,
                        nullptr,       nullptr,       kSavesNothing};

Tensor scatter_add(const Tensor& g, const Shape& full, int dim, const Tensor& index) {
  Tensor out = zeros(full, g.dtype());
  visit_floating(g.dtype(), "scatter_add", [&](auto zero) {
    using T = decltype(zero);
    const T* in = g.data<T>();
    T* o = out.data<T>();
    for_each_gathered(index, full, dim, [&](std::int64_t i, std::int64_t at) { o[at] += in[i]; });
  });
  if (record(out, scatter_add_op, {g.node()})) out.node()->attrs.emplace(IndexAttrs{dim, index});
  return out;
}
}  // namespace
Tensor gather(const Tensor& x, std::int64_t dim, const Tensor& index) {
  const int d = normalize_dim(dim, x.shape().size(), "gather");
  check_gather_index("gather", x.shape(), d, index);
  Tensor out = empty_tensor(index.shape(), x.dtype(), "gather");
  visit_any(x.dtype(), [&](auto zero) {  // int64 and bool too (sort, topk)
    using T = decltype(zero);
    const T* in = x.data<T>();
    T* o = out.data<T>();
    for_each_gathered(index, x.shape(), d, [&](std::int64_t i, std::int64_t at) { o[i] = in[at]; });
  });
  if (record(out, gather_op, {x.node()})) out.node()->attrs.emplace(IndexAttrs{d, index});
  return out;
}

namespace {
// src cut to the index's shape: only the elements the index addresses count
Tensor addressed(const Tensor& x, int dim, const Tensor& index, const Tensor& src,
                 std::string_view op) {
  check_gather_index(op, x.shape(), dim, index);
  if (src.shape().size() != index.shape().size()) {
    fail<ShapeError>("{}: src of shape {} must have the rank of index {}", op, src.shape(),
                     index.shape());
  }
  if (src.dtype() != x.dtype()) {
    fail<DTypeError>("{}: src is {}, x is {}", op, src.dtype(), x.dtype());
  }
  Tensor part = src;
  for (std::size_t d = 0; d < index.shape().size(); ++d) {
    if (index.shape()[d] > src.shape()[d]) {
      fail<ShapeError>("{}: index shape {} exceeds src shape {}", op, index.shape(), src.shape());
    }
    if (index.shape()[d] < src.shape()[d]) part = slice(part, d, 0, index.shape()[d]);
  }
  return part;
}
}  // namespace
Tensor scatter_add(const Tensor& x, std::int64_t dim, const Tensor& index, const Tensor& src) {
  const int d = normalize_dim(dim, x.shape().size(), "scatter_add");
  return x + scatter_add(addressed(x, d, index, src, "scatter_add"), x.shape(), d, index);
}

namespace {
// x with src written at index: x's overwritten places pass no gradient,
// every src element addressed gets the gradient of where it was written
struct ScatterAttrs {
  int dim;
  Tensor index, written;  // written: bool, x's shape
};
void scatter_vjp(TensorNode& n, const Tensor& g) {
  const auto& [dim, index, written] = attrs<ScatterAttrs>(n);
  if (input_wants_grad(n, 0)) accumulate_input(n, 0, where(written, zeros({}, g.dtype()), g));
  if (input_wants_grad(n, 1)) accumulate_input(n, 1, gather(g, dim, index));
}
const Op scatter_op{"scatter", "scatter", &tensor_kind, run_backward<scatter_vjp>,
                    nullptr,   nullptr,   kSavesNothing};
}  // namespace
Tensor scatter(const Tensor& x, std::int64_t dim, const Tensor& index, const Tensor& src) {
  const int d = normalize_dim(dim, x.shape().size(), "scatter");
  const Tensor part = addressed(x, d, index, src, "scatter");
  Tensor out = empty_tensor(x.shape(), x.dtype(), "scatter");
  Tensor written = zeros(x.shape(), DType::boolean);
  bool* w = written.data<bool>();
  visit_floating(x.dtype(), "scatter", [&](auto zero) {
    using T = decltype(zero);
    const T* in = part.data<T>();
    T* o = out.data<T>();
    std::copy(x.data<T>(), x.data<T>() + x.numel(), o);
    for_each_gathered(index, x.shape(), d, [&](std::int64_t i, std::int64_t at) {
      o[at] = in[i];
      w[at] = true;
    });
  });
  if (record(out, scatter_op, {x.node(), part.node()})) {
    out.node()->attrs.emplace(ScatterAttrs{d, index, written});
  }
  return out;
}

Tensor one_hot(const Tensor& indices, std::int64_t num_classes) {
  if (indices.dtype() != DType::int64) {
    fail<DTypeError>("one_hot: indices must be int64, got {}", indices.dtype());
  }
  const std::int64_t* idx = indices.data<std::int64_t>();
  if (num_classes < 0) {
    if (num_classes != -1) fail<ValueError>("one_hot: num_classes {} is negative", num_classes);
    if (indices.numel() == 0) fail<ValueError>("one_hot: cannot infer num_classes from no indices");
    num_classes = *std::max_element(idx, idx + indices.numel()) + 1;
  }
  check_index("one_hot", indices, num_classes);
  Shape shape = indices.shape();
  shape.push_back(num_classes);
  Tensor out = zeros(shape, DType::int64);
  std::int64_t* o = out.data<std::int64_t>();
  for (std::int64_t i = 0, n = indices.numel(); i < n; ++i) o[i * num_classes + idx[i]] = 1;
  return out;
}

// ---- embedding --------------------------------------------------------------------

namespace {
// Sparse embedding: the weight (in[0]) gets the rows looked up and their
// gradients (weight.sparse_grad) instead of a dense gradient. Under ag::grad
// (a capture) or create_graph it falls back to a dense one.
struct SparseEmbeddingAttrs {
  Tensor rows;                              // the flat indices
  std::optional<std::int64_t> padding_idx;  // its row gets nothing
};
void embedding_sparse_vjp(TensorNode& n, const Tensor& g_all) {
  TensorNode& weight = input_node(n, 0);
  if (!weight.requires_grad()) return;
  const auto& [all_rows, padding_idx] = attrs<SparseEmbeddingAttrs>(n);
  Tensor rows = all_rows;
  Tensor g = g_all;
  if (padding_idx) {
    std::vector<std::int64_t> keep;
    const std::int64_t* r = rows.data<std::int64_t>();
    for (std::int64_t i = 0; i < rows.numel(); ++i) {
      if (r[i] != *padding_idx) keep.push_back(i);
    }
    const Tensor kept = index_tensor(keep);
    rows = index_select(rows, 0, kept);
    g = index_select(g, 0, kept);
  }
  if (active_capture || is_grad_enabled()) {
    accumulate_grad(weight, index_add(g, weight.shape, 0, rows));
    return;
  }
  SparseGrad& sg = weight.sparse_grad;
  const bool had = sg.defined();
  sg.rows = had ? cat({sg.rows, rows}) : rows;
  sg.values = had ? cat({sg.values, g}) : g;
}
const Op embedding_sparse_op{
    "embedding", "embedding (sparse)", &tensor_kind, run_backward<embedding_sparse_vjp>, nullptr,
    nullptr,     kSavesNothing};
}  // namespace
Tensor embedding(const Tensor& weight, const Tensor& indices,
                 std::optional<std::int64_t> padding_idx, bool sparse) {
  if (weight.shape().size() != 2) {
    fail<ShapeError>("embedding: the weight must be 2-d (num_embeddings, dim), got {}",
                     weight.shape());
  }
  const std::int64_t entries = weight.shape()[0];
  if (padding_idx && (*padding_idx < -entries || *padding_idx >= entries)) {
    fail<IndexError>("embedding: padding_idx {} is out of range for {} embeddings", *padding_idx,
                     entries);
  }
  if (padding_idx && *padding_idx < 0) padding_idx = *padding_idx + entries;  // as PyTorch
  Tensor flat = reshape(indices, {indices.numel()});
  Shape shape = indices.shape();
  shape.push_back(weight.shape()[1]);
  if (sparse) {
    check_index("embedding", flat, weight.shape()[0]);
    Tensor rows;
    {
      NoGradGuard no_grad;
      rows = index_select(weight, 0, flat);
    }
    if (record(rows, embedding_sparse_op, {weight.node()})) {
      rows.node()->attrs.emplace(SparseEmbeddingAttrs{flat, padding_idx});
    }
    return reshape(rows, shape);
  }
  Tensor rows = index_select(weight, 0, flat);
  if (padding_idx) {
    // The padding row is looked up like any other but passes no gradient.
    const Tensor pad = eq(flat, full({}, static_cast<double>(*padding_idx), DType::int64));
    rows = where(unsqueeze(pad, 1), rows.detach(), rows);
  }
  return reshape(rows, shape);
}

}  // namespace ag

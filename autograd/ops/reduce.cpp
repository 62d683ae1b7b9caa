// SPDX-License-Identifier: MIT
// Reductions: sum, mean, max/min (all, along a dim with indices, amax), and
// the log-sum-exp family (logsumexp, softmax, log_softmax), composed from
// primitives so they differentiate to any order. Also broadcast_to and
// sum_to, the two adjoint halves of broadcasting. One block per op.
#include <cmath>
#include <limits>

#include "autograd/ops/kernels.hpp"
#include "autograd/ops/sum_kernel.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag {
using namespace detail;

namespace {

// Sorted, unique, normalised dims; all dims when `dims` is empty.
std::vector<int> reduction_dims(const Tensor& x, const Dims& wanted, std::string_view op) {
  const std::vector<std::int64_t>& dims = wanted.vec();
  std::vector<int> out;
  if (dims.empty()) {
    for (std::size_t k = 0; k < x.shape().size(); ++k) out.push_back(static_cast<int>(k));
    return out;
  }
  for (std::int64_t d : dims) out.push_back(normalize_dim(d, x.shape().size(), op));
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end()) {
    fail<ShapeError>("{}: dim {} appears twice in {}", op,
                     *std::adjacent_find(out.begin(), out.end()), dims);
  }
  return out;
}

std::vector<std::int64_t> as_dims(const std::vector<int>& dims) {
  return {dims.begin(), dims.end()};
}

// g reshaped to the keepdim layout of a reduction of `in` over `dims`.
Tensor keep_dims(const Tensor& g, const Shape& in, const std::vector<int>& dims) {
  return reshape(g, reduced_shape(in, dims, true));
}

// The dims a reduction reduced (sorted, normalised).
struct DimsAttrs {
  std::vector<int> dims;
};

}  // namespace

namespace {
// x stretched to a shape: the gradient is summed back (by accumulate_grad)
void broadcast_vjp(TensorNode& n, const Tensor& g) { accumulate_input(n, 0, g); }
const Op broadcast_op{"broadcast_to", "broadcast", &tensor_kind, run_backward<broadcast_vjp>,
                      nullptr,        nullptr,     kSavesNothing};
}  // namespace
Tensor broadcast_to(const Tensor& x, const Shape& shape) {
  const Shape target = broadcast_shapes(x.shape(), shape, "broadcast_to");
  if (target != shape) {
    fail<ShapeError>("broadcast_to: {} cannot be broadcast to {}", x.shape(), shape);
  }
  if (x.shape() == shape) return x;
  Tensor out = empty_tensor(shape, x.dtype(), "broadcast_to");
  visit_any(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.data<T>();
    T* o = out.data<T>();
    for_each_broadcast(x.shape(), x.shape(), shape,
                       [&](std::int64_t i, std::int64_t j, std::int64_t) { o[i] = in[j]; });
  });
  record(out, broadcast_op, {x.node()});
  return out;
}

namespace {
// Σ over dims: d/dx = 1, the gradient broadcast back over the reduced dims
void sum_vjp(TensorNode& n, const Tensor& g) {
  const std::vector<int>& dims = attrs<DimsAttrs>(n).dims;
  const Shape& in = input_node(n, 0).shape;
  accumulate_input(n, 0, broadcast_to(keep_dims(g, in, dims), in));
}
const Op sum_op{"sum", "sum", &tensor_kind, run_backward<sum_vjp>, nullptr, nullptr, kSavesNothing};

// In double, pairwise along rows and blocked along columns (sum_kernel.hpp).
Tensor sum_forward(const Tensor& x, const std::vector<int>& dims, bool keepdim) {
  const Shape shape = reduced_shape(x.shape(), dims, keepdim);
  if (!is_floating(x.dtype())) {  // int64 and bool sum to int64 (as PyTorch), wrapping
    Tensor out = zeros(shape, DType::int64);
    auto* o = reinterpret_cast<std::uint64_t*>(out.data<std::int64_t>());
    visit_any(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* in = x.data<T>();
      for_each_reduced(x.shape(), dims, [&](std::int64_t oi, std::int64_t ii) {
        o[oi] += static_cast<std::uint64_t>(in[ii]);
      });
    });
    return out;
  }
  Tensor out = empty_tensor(shape, x.dtype(), "sum");
  visit_floating(x.dtype(), "sum", [&](auto zero) {
    using T = decltype(zero);
    sum_dims(x.data<T>(), x.shape(), dims, out.data<T>());
  });
  return out;
}
}  // namespace
Tensor sum(const Tensor& x, const Dims& dims, bool keepdim) {
  std::vector<int> d = reduction_dims(x, dims, "sum");
  Tensor out = sum_forward(x, d, keepdim);
  if (record(out, sum_op, {x.node()})) out.node()->attrs.emplace(DimsAttrs{std::move(d)});
  return out;
}

Tensor sum_to(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  if (!broadcasts_to(shape, x.shape())) {
    fail<ShapeError>("sum_to: {} does not broadcast to {}, so {} cannot be summed down to it",
                     shape, x.shape(), x.shape());
  }
  const Shape& g = x.shape();
  const std::size_t lead = g.size() - shape.size();
  std::vector<std::int64_t> dims;
  for (std::size_t k = 0; k < g.size(); ++k) {
    if (k < lead || (shape[k - lead] == 1 && g[k] != 1)) dims.push_back(static_cast<int>(k));
  }
  return dims.empty() ? reshape(x, shape) : reshape(sum(x, dims, true), shape);
}

namespace {
// Σ/N over dims: d/dx = 1/N, the gradient broadcast back (its own op, so
// diagrams and errors say "mean", as PyTorch's MeanBackward)
struct MeanAttrs {
  std::vector<int> dims;
  double count;
};
void mean_vjp(TensorNode& n, const Tensor& g) {
  const auto& [dims, count] = attrs<MeanAttrs>(n);
  const Shape& in = input_node(n, 0).shape;
  accumulate_input(n, 0, broadcast_to(keep_dims(g / count, in, dims), in));
}
const Op mean_op{"mean",  "mean",  &tensor_kind, run_backward<mean_vjp>,
                 nullptr, nullptr, kSavesNothing};
}  // namespace
Tensor mean(const Tensor& x, const Dims& dims, bool keepdim) {
  if (!is_floating(x.dtype())) {
    fail<DTypeError>(
        "mean: {} tensor {} has no mean in its dtype, as in PyTorch; convert it with to() first",
        x.dtype(), x.shape());
  }
  std::vector<int> d = reduction_dims(x, dims, "mean");
  std::int64_t count = 1;
  for (int k : d) count *= x.shape()[k];
  Tensor out;
  {
    NoGradGuard values_only;  // the sum, then the division, as before: the same bits
    out = sum_forward(x, d, keepdim) / static_cast<double>(count);
  }
  if (record(out, mean_op, {x.node()})) {
    out.node()->attrs.emplace(MeanAttrs{std::move(d), static_cast<double>(count)});
  }
  return out;
}

// ---- extrema ------------------------------------------------------------------

namespace {

// Extremum over dims (first index on ties) with its position along the one
// reduced dim when there is exactly one.
struct Extremum {
  Tensor values, indices;
};
Extremum extremum(const Tensor& x, const std::vector<int>& dims, bool keepdim, bool is_max,
                  std::string_view op) {
  if (x.numel() == 0)
    fail<ShapeError>("{}: cannot reduce an empty tensor (shape {})", op, x.shape());
  const Shape out_shape = reduced_shape(x.shape(), dims, keepdim);
  Tensor values = empty_tensor(out_shape, x.dtype(), op);
  Tensor indices = zeros(out_shape, DType::int64);
  visit_any(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.data<T>();
    T* v = values.data<T>();
    std::int64_t* idx = indices.data<std::int64_t>();
    std::vector<bool> started(values.numel(), false);
    const std::int64_t stride = dims.size() == 1 ? contiguous_strides(x.shape())[dims[0]] : 1;
    const std::int64_t extent = dims.size() == 1 ? x.shape()[dims[0]] : 1;
    for_each_reduced(x.shape(), dims, [&](std::int64_t oi, std::int64_t ii) {
      const T value = in[ii];
      bool better = !started[oi] || (is_max ? value > v[oi] : value < v[oi]);
      if constexpr (std::is_floating_point_v<T>) {
        better = better || (std::isnan(value) && !std::isnan(v[oi]));
      }
      if (better) {
        v[oi] = value;
        idx[oi] = (ii / stride) % extent;
        started[oi] = true;
      }
    });
  });
  return {values, indices};
}

// amax/amin over dims: ties share the gradient evenly (as torch.max(x), amax)
void amax_vjp(TensorNode& n, const Tensor& g) {
  const std::vector<int>& dims = attrs<DimsAttrs>(n).dims;
  const Tensor x = input(n, 0);
  const Tensor kept = keep_dims(output(n).detach(), x.shape(), dims);
  const Tensor hit = where(eq(x, kept), ones({}, x.dtype()), zeros({}, x.dtype()));
  const Tensor share = hit / sum(hit, as_dims(dims), true);
  accumulate_input(n, 0, share * keep_dims(g, x.shape(), dims));
}
const Op amax_op{"amax",
                 "amax",
                 &tensor_kind,
                 run_backward<amax_vjp>,
                 nullptr,
                 nullptr,
                 kSavesInputs | kSavesOutput};
const Op amin_op{"amin",
                 "amin",
                 &tensor_kind,
                 run_backward<amax_vjp>,
                 nullptr,
                 nullptr,
                 kSavesInputs | kSavesOutput};

Tensor reduce_extremum(const Tensor& x, const Dims& dims, bool keepdim, bool is_max) {
  const char* name = is_max ? "amax" : "amin";
  std::vector<int> d = reduction_dims(x, dims, name);
  Tensor out = extremum(x, d, keepdim, is_max, name).values;
  if (record(out, is_max ? amax_op : amin_op, {x.node()})) {
    out.node()->attrs.emplace(DimsAttrs{std::move(d)});
  }
  return out;
}

// max/min along a dim: the whole gradient to the chosen index
struct ChosenAttrs {
  int dim;
  Tensor indices;  // keepdim layout
};
void max_dim_vjp(TensorNode& n, const Tensor& g) {
  const auto& [dim, indices] = attrs<ChosenAttrs>(n);
  const Tensor x = input(n, 0);
  Shape line(x.shape().size(), 1);
  line[dim] = x.shape()[dim];
  const Tensor positions =
      reshape(arange(0, static_cast<double>(x.shape()[dim]), 1, DType::int64), line);
  const Tensor chosen = eq(positions, indices);
  accumulate_input(n, 0, where(chosen, keep_dims(g, x.shape(), {dim}), zeros({}, x.dtype())));
}
const Op max_dim_op{"max",   "max",   &tensor_kind, run_backward<max_dim_vjp>,
                    nullptr, nullptr, kSavesNothing};
const Op min_dim_op{"min",   "min",   &tensor_kind, run_backward<max_dim_vjp>,
                    nullptr, nullptr, kSavesNothing};

ValuesIndices extremum_dim(const Tensor& x, std::int64_t dim, bool keepdim, bool is_max) {
  const char* name = is_max ? "max" : "min";
  const int d = normalize_dim(dim, x.shape().size(), name);
  auto [values, indices] = extremum(x, {d}, keepdim, is_max, name);
  if (record(values, is_max ? max_dim_op : min_dim_op, {x.node()})) {
    values.node()->attrs.emplace(ChosenAttrs{d, keepdim ? indices : unsqueeze(indices, d)});
  }
  return {values, indices};
}

}  // namespace

Tensor max(const Tensor& x) { return reduce_extremum(x, {}, false, true); }
Tensor min(const Tensor& x) { return reduce_extremum(x, {}, false, false); }
Tensor amax(const Tensor& x, const Dims& dims, bool keepdim) {
  return reduce_extremum(x, dims, keepdim, true);
}
Tensor amin(const Tensor& x, const Dims& dims, bool keepdim) {
  return reduce_extremum(x, dims, keepdim, false);
}
namespace {
void no_bool_arg(const Tensor& x, const char* op) {
  if (x.dtype() == DType::boolean) {
    fail<DTypeError>("{}: not defined for a bool tensor {}, as in PyTorch; convert it with to()",
                     op, x.shape());
  }
}
}  // namespace
Tensor argmax(const Tensor& x, std::optional<std::int64_t> dim, bool keepdim) {
  no_bool_arg(x, "argmax");
  if (!dim) return extremum(reshape(x.detach(), {-1}), {0}, false, true, "argmax").indices;
  const int d = normalize_dim(*dim, x.shape().size(), "argmax");
  return extremum(x.detach(), {d}, keepdim, true, "argmax").indices;
}
Tensor argmin(const Tensor& x, std::optional<std::int64_t> dim, bool keepdim) {
  no_bool_arg(x, "argmin");
  if (!dim) return extremum(reshape(x.detach(), {-1}), {0}, false, false, "argmin").indices;
  const int d = normalize_dim(*dim, x.shape().size(), "argmin");
  return extremum(x.detach(), {d}, keepdim, false, "argmin").indices;
}
ValuesIndices max(const Tensor& x, std::int64_t dim, bool keepdim) {
  return extremum_dim(x, dim, keepdim, true);
}
ValuesIndices min(const Tensor& x, std::int64_t dim, bool keepdim) {
  return extremum_dim(x, dim, keepdim, false);
}

// ---- all, any -------------------------------------------------------------------

Tensor all(const Tensor& x, const Dims& dims, bool keepdim) {
  return eq(sum(eq(x.detach(), 0.0), dims, keepdim), 0.0);  // no element is zero
}
Tensor any(const Tensor& x, const Dims& dims, bool keepdim) {
  return gt(sum(ne(x.detach(), 0.0), dims, keepdim), 0.0);  // some element is not
}

// ---- the log-sum-exp family: compositions, so any order differentiates ----------

Tensor logsumexp(const Tensor& x_in, const Dims& dims, bool keepdim) {
  // m + log Σ exp(x - m) with m = max (a constant: the gradient does not
  // depend on it), 0 where the max is infinite so that inf - inf is avoided.
  // Integers are taken as the default float dtype, as PyTorch does.
  const Tensor x = as_dtype(x_in, floating_type(x_in.dtype()));
  Tensor m = amax(x.detach(), dims, true);
  m = where(ge(abs(m), full({}, INFINITY, m.dtype())), zeros({}, m.dtype()), m);
  Tensor out = log(sum(exp(x - m), dims, true)) + m;
  if (keepdim) return out;
  const std::vector<int> d = reduction_dims(x, dims, "logsumexp");
  return reshape(out, reduced_shape(x.shape(), d, false));
}

Tensor log_softmax(const Tensor& x, std::int64_t dim) {
  visit_floating(x.dtype(), "log_softmax", [](auto) {});  // integers refused, as PyTorch
  return x - logsumexp(x, {dim}, true);
}

Tensor softmax(const Tensor& x, std::int64_t dim) {
  visit_floating(x.dtype(), "softmax", [](auto) {});
  return exp(log_softmax(x, dim));
}

}  // namespace ag

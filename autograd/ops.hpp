// SPDX-License-Identifier: MIT
// Differentiable tensor operations. Each family lives in one file under
// autograd/ops/ (named in each section below), one block per op: its
// backward (vector-Jacobian product), its op table, its forward. Backward
// passes are written with these same ops, so with create_graph gradients are
// differentiable again. Conversions are Tensor members (Tensor::to,
// to_scalar: ops/convert.cpp).
//
// Broadcasting follows NumPy: shapes are aligned on the right and sizes of 1
// stretch; gradients are summed back to each input's shape.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "autograd/dims.hpp"
#include "autograd/parallel.hpp"
#include "autograd/scalar.hpp"
#include "autograd/tensor.hpp"

namespace ag {

// ---- elementwise, with broadcasting (ops/elementwise.cpp) ------------------
// a and b must have the same dtype (DTypeError), and broadcastable shapes
// (ShapeError). A double is a constant; a Scalar joins the graph.

Tensor operator+(const Tensor& a, const Tensor& b);  ///< d/da = 1, d/db = 1
Tensor operator-(const Tensor& a, const Tensor& b);  ///< d/da = 1, d/db = -1
Tensor operator*(const Tensor& a, const Tensor& b);  ///< d/da = b, d/db = a
Tensor operator/(const Tensor& a, const Tensor& b);  ///< d/da = 1/b, d/db = -a/b²
Tensor operator-(const Tensor& a);                   ///< d/da = -1
///@{
/// With a plain number c on either side: c is the op's constant, no node.
Tensor operator+(const Tensor& a, double c);
Tensor operator+(double c, const Tensor& a);
Tensor operator-(const Tensor& a, double c);
Tensor operator-(double c, const Tensor& a);
Tensor operator*(const Tensor& a, double c);
Tensor operator*(double c, const Tensor& a);
Tensor operator/(const Tensor& a, double c);
Tensor operator/(double c, const Tensor& a);
///@}
///@{
/// With a Scalar s on either side: s joins the graph and gets the gradient
/// summed over the tensor (d/ds = Σ grad for +, Σ grad·a for *).
Tensor operator+(const Tensor& a, const Scalar& s);
Tensor operator+(const Scalar& s, const Tensor& a);
Tensor operator-(const Tensor& a, const Scalar& s);
Tensor operator-(const Scalar& s, const Tensor& a);
Tensor operator*(const Tensor& a, const Scalar& s);
Tensor operator*(const Scalar& s, const Tensor& a);
Tensor operator/(const Tensor& a, const Scalar& s);
///@}
///@{
/// The larger / smaller of a and b elementwise (broadcast; NaN wins, as
/// torch.maximum); the gradient goes to the chosen side, half to each at ties.
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
///@}
/// a^b elementwise, a > 0 where b is not an integer; d/da = b a^(b-1), d/db = a^b ln a.
Tensor pow(const Tensor& a, const Tensor& b);

// ---- comparisons and selection (ops/compare.cpp): masks are bool, not differentiable

///@{
/// a == b, !=, <, <=, >, >= elementwise (broadcast): a bool mask.
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, double c);
Tensor lt(const Tensor& a, double c);
///@}
/// cond ? a : b elementwise (broadcast); gradient flows to the chosen side.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
/// a with `value` where mask is true; no gradient through the filled places.
Tensor masked_fill(const Tensor& a, const Tensor& mask, double value);

// ---- unary (ops/unary.cpp) ---------------------------------------------------

Tensor exp(const Tensor& x);            ///< d/dx = e^x
Tensor log(const Tensor& x);            ///< d/dx = 1/x
Tensor sqrt(const Tensor& x);           ///< d/dx = 1/(2√x)
Tensor tanh(const Tensor& x);           ///< d/dx = 1 - tanh²x
Tensor sigmoid(const Tensor& x);        ///< d/dx = σ(1-σ)
Tensor relu(const Tensor& x);           ///< d/dx = 1 if x > 0 else 0
Tensor abs(const Tensor& x);            ///< d/dx = sign x (0 at 0)
Tensor pow(const Tensor& x, double c);  ///< d/dx = c x^(c-1) (0 when c = 0)
/// x if x > 0 else slope·x; d/dx = 1 if x > 0 else slope.
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
Tensor sin(const Tensor& x);    ///< d/dx = cos x
Tensor cos(const Tensor& x);    ///< d/dx = -sin x
Tensor log1p(const Tensor& x);  ///< ln(1 + x), exact near 0; d/dx = 1/(1+x)
Tensor expm1(const Tensor& x);  ///< e^x - 1, exact near 0; d/dx = e^x
/// log(1 + e^(βx))/β, and x itself where βx > threshold (torch.nn.functional.softplus);
/// d/dx = σ(βx).
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);
/// log σ(x), finite for any x; d/dx = σ(-x).
Tensor logsigmoid(const Tensor& x);
/// The error function, 2/√π ∫₀ˣ e^(-t²) dt; d/dx = 2/√π e^(-x²).
Tensor erf(const Tensor& x);
/// x Φ(x) exactly (erf), or with the tanh approximation when `tanh_approx`.
Tensor gelu(const Tensor& x, bool tanh_approx = false);
/// min(max(x, lo), hi); gradient 1 on the closed interval [lo, hi], as PyTorch.
Tensor clamp(const Tensor& x, std::optional<double> lo, std::optional<double> hi);

// ---- reductions (ops/reduce.cpp, ops/statistics.cpp) ------------------------------

/// x stretched to `shape` by broadcasting; the gradient is summed back.
Tensor broadcast_to(const Tensor& x, const Shape& shape);
/// x summed down to `shape`, which must broadcast to x's shape: the adjoint
/// of broadcast_to (PyTorch's sum_to_size).
Tensor sum_to(const Tensor& x, const Shape& shape);
///@{
/// Σ / mean over `dims` (all when empty); keepdim keeps reduced dims as
/// size 1. float32 accumulates in double, pairwise.
Tensor sum(const Tensor& x, const Dims& dims = {}, bool keepdim = false);
Tensor mean(const Tensor& x, const Dims& dims = {}, bool keepdim = false);
///@}
///@{
/// Max over all elements; the gradient is split evenly among ties (as PyTorch).
Tensor max(const Tensor& x);
Tensor min(const Tensor& x);
///@}
/// Values found along a dim, and where: what max, min, sort and topk return.
struct ValuesIndices {
  Tensor values;   ///< the values found (differentiable)
  Tensor indices;  ///< where they were, int64
};
///@{
/// Max / min along `dim` with its indices (int64); the gradient goes to the
/// first extremal index, as PyTorch on CPU.
ValuesIndices max(const Tensor& x, std::int64_t dim, bool keepdim = false);
ValuesIndices min(const Tensor& x, std::int64_t dim, bool keepdim = false);
///@}
///@{
/// Max / min over `dims`, gradient split evenly among ties.
Tensor amax(const Tensor& x, const Dims& dims = {}, bool keepdim = false);
Tensor amin(const Tensor& x, const Dims& dims = {}, bool keepdim = false);
///@}
///@{
/// The index (int64, no gradient) of the first max / min along `dim`, or of
/// the flattened tensor when `dim` is not given.
Tensor argmax(const Tensor& x, std::optional<std::int64_t> dim = std::nullopt,
              bool keepdim = false);
Tensor argmin(const Tensor& x, std::optional<std::int64_t> dim = std::nullopt,
              bool keepdim = false);
///@}
/// log Σ exp along dims, shifted by the max: finite for logits of ±1000.
Tensor logsumexp(const Tensor& x, const Dims& dims, bool keepdim = false);
/// Π along `dim` (all elements when not given); the gradient Π_{j≠i} x_j is
/// exact at zeros too.
Tensor prod(const Tensor& x, std::optional<std::int64_t> dim = std::nullopt, bool keepdim = false);
///@{
/// Σ (x - mean)² / (N - correction) over dims (correction 1: the unbiased
/// estimate, as torch.var); std is its square root (write `ag::std` where
/// `using namespace ag` is in effect: `std` alone names the namespace too).
Tensor var(const Tensor& x, const Dims& dims = {}, double correction = 1.0, bool keepdim = false);
Tensor std(const Tensor& x, const Dims& dims = {}, double correction = 1.0, bool keepdim = false);
///@}
/// The p-norm (Σ|x|^p)^(1/p) over dims (p = INFINITY: max |x|); its
/// gradient is 0 where the norm is 0, as PyTorch's.
Tensor norm(const Tensor& x, double p = 2.0, const Dims& dims = {}, bool keepdim = false);
///@{
/// Running sums along `dim`; d/dx is the running sum of the gradient from the other end.
Tensor cumsum(const Tensor& x, std::int64_t dim);
Tensor softmax(const Tensor& x, std::int64_t dim);
Tensor log_softmax(const Tensor& x, std::int64_t dim);
///@}

// ---- matrix products (ops/matmul.cpp; kernels in ops/gemm.cpp) ------------------

/// PyTorch's matmul: 1-D·1-D dot, 2-D·2-D, vector cases, and batched with
/// broadcast batch dims; through BLAS.
Tensor matmul(const Tensor& a, const Tensor& b);
/// x W^T + b, as torch.nn.functional.linear; bias may be undefined.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());
// set_num_threads / get_num_threads: parallel.hpp.

/// The library behind float32 matrix products: "auto" (the default: oneDNN,
/// where built with it, for products, or parts of a product split over
/// threads (parallel.hpp), of at least 2^20 multiply-adds; BLAS otherwise),
/// "blas" (also "openblas", or "eigen" in a -Dgemm=eigen build) or "onednn".
/// The environment variable AG_GEMM sets it at the first product. Throws
/// ValueError for an unknown or unavailable name. float64 products always
/// run on BLAS (ops/gemm_backends.cpp).
void set_gemm_backend(std::string_view name);
/// The float32 matrix-product libraries this build has, by the names
/// set_gemm_backend takes: "openblas" (or "eigen"), then "onednn" where built
/// with it. Ask this before forcing one (PyTorch: torch.backends.*.is_available).
std::vector<std::string_view> gemm_backends();
/// The library a product [m, k] x [k, n] of `dtype` runs on now, at the
/// current thread count: "openblas", "eigen" or "onednn" (very sparse
/// operands skip it: ops/gemm.cpp).
std::string_view gemm_backend(DType dtype, std::int64_t m, std::int64_t n, std::int64_t k);

/// Einstein summation over one or two operands (torch.einsum): "ij,jk->ik",
/// "bij,bjk->bik", "i,i->", "ij->ji", "bhqd,bhkd->bhqk", ...; without "->" the
/// output is the labels used once, in alphabetical order. Labels are
/// letters; a label repeated within one operand (a diagonal) and "..." are
/// not supported (ValueError). Runs as one batched matmul (ops/einsum.cpp).
Tensor einsum(std::string_view equation, const std::vector<Tensor>& operands);

// ---- shapes (ops/shape.cpp) ------------------------------------------------------

///@{
/// Same data, new shape (one size may be -1); ShapeError if counts differ.
Tensor reshape(const Tensor& x, const Shape& shape);
inline Tensor view(const Tensor& x, const Shape& shape) { return reshape(x, shape); }
Tensor transpose(const Tensor& x, std::int64_t dim0, std::int64_t dim1);
Tensor permute(const Tensor& x, const std::vector<std::int64_t>& dims);
Tensor unsqueeze(const Tensor& x, std::int64_t dim);
///@}
/// Removes `dim` if its size is 1; all size-1 dims when `dim` is empty.
Tensor squeeze(const Tensor& x, std::optional<std::int64_t> dim = std::nullopt);
///@{
/// Joins along an existing dim / a new dim.
Tensor cat(const std::vector<Tensor>& xs, std::int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& xs, std::int64_t dim = 0);
///@}
/// x[start:stop:step] along `dim` (negative start/stop count from the end,
/// clamped like Python).
Tensor slice(const Tensor& x, std::int64_t dim, std::int64_t start, std::int64_t stop,
             std::int64_t step = 1);
/// x[..., index, ...] along `dim`, dropping it.
Tensor select(const Tensor& x, std::int64_t dim, std::int64_t index);

// ---- rearranging (ops/rearrange.cpp): compositions of the shape ops but flip --

/// x with the order of elements along `dims` reversed (torch.flip).
Tensor flip(const Tensor& x, const Dims& dims);
/// x tiled `repeats[d]` times along each dim d (torch.Tensor.repeat); extra
/// leading repeats add leading dims.
Tensor repeat(const Tensor& x, const std::vector<std::int64_t>& repeats);
/// x broadcast to `sizes`, where -1 keeps x's size (torch.Tensor.expand).
Tensor expand(const Tensor& x, const Shape& sizes);
///@{
/// Pieces of `split_size` along `dim` (the last may be smaller), or of the
/// given sizes, which must add up to the dim's size (torch.split).
std::vector<Tensor> split(const Tensor& x, std::int64_t split_size, std::int64_t dim = 0);
std::vector<Tensor> split(const Tensor& x, const std::vector<std::int64_t>& sizes,
                          std::int64_t dim = 0);
///@}
/// At most `chunks` pieces of equal size ceil(n / chunks) along `dim` (torch.chunk).
std::vector<Tensor> chunk(const Tensor& x, std::int64_t chunks, std::int64_t dim = 0);
/// Dims start_dim..end_dim merged into one (torch.flatten); a 0-d x gives (1).
Tensor flatten(const Tensor& x, std::int64_t start_dim = 0, std::int64_t end_dim = -1);
/// Dim `dim` split into `sizes` (one may be -1) (torch.unflatten).
Tensor unflatten(const Tensor& x, std::int64_t dim, const Shape& sizes);
///@{
/// The lower / upper triangle of the last two dims, from the `diagonal`th
/// diagonal (0 the main one, > 0 above it); zeros elsewhere, no gradient there.
Tensor tril(const Tensor& x, std::int64_t diagonal = 0);
Tensor triu(const Tensor& x, std::int64_t diagonal = 0);
///@}

// ---- sliding windows (ops/window.cpp): as_strided and its adjoint ---------

/// A view of x's elements (row-major order) as `size`, dim k stepping
/// `stride[k]` elements from element `offset`, copied (torch.as_strided on a
/// contiguous x). Windows may overlap: the gradient adds up every place an
/// element was read. Strides are nonnegative; ShapeError if a window
/// reaches outside x.
Tensor as_strided(const Tensor& x, const Shape& size, const Shape& stride, std::int64_t offset = 0);
/// Every window of `size` elements along `dim`, `step` apart, elements
/// `dilation` apart: dim becomes the number of windows and a last dim of
/// `size` is added (torch.Tensor.unfold, with dilation as in conv's).
Tensor unfold(const Tensor& x, std::int64_t dim, std::int64_t size, std::int64_t step,
              std::int64_t dilation = 1);
/// x with `pads` more elements of `value` around it: pads = {left, right}
/// for the last dim, then {left, right} for the one before, ... (F.pad,
/// constant mode; nonnegative pads).
Tensor pad(const Tensor& x, const std::vector<std::int64_t>& pads, double value = 0.0);

// ---- sorting (ops/sort.cpp): indices without gradient, values through gather --

/// x sorted along `dim` (stable; NaN last ascending, first descending) and
/// the int64 indices that sort it (torch.sort).
ValuesIndices sort(const Tensor& x, std::int64_t dim = -1, bool descending = false);
/// The k largest (or smallest) along `dim`, in order, with their indices
/// (torch.topk; equal values keep their original order).
ValuesIndices topk(const Tensor& x, std::int64_t k, std::int64_t dim = -1, bool largest = true);

// ---- indexing (ops/index.cpp) ---------------------------------------------------

/// Rows (along `dim`) picked by an int64 index vector; repeats add up in backward.
Tensor index_select(const Tensor& x, std::int64_t dim, const Tensor& index);
/// x with the slices of `source` added at `index` (int64, 1-d) along `dim`
/// (torch.index_add); repeated indices add up.
Tensor index_add(const Tensor& x, std::int64_t dim, const Tensor& index, const Tensor& source);
/// out[i][j][k] = x[i][index[i][j][k]][k] for dim = 1 (torch.gather): `index`
/// (int64) has x's rank and, outside `dim`, sizes no larger than x's. Any
/// dtype; only floating x carries a gradient.
/// Repeated indices add up in backward.
Tensor gather(const Tensor& x, std::int64_t dim, const Tensor& index);
/// x + src scattered along `dim` at `index` (torch.scatter_add): out[i][index[i][j][k]][k]
/// += src[i][j][k] for dim 1; `index` (int64) has x's rank, sizes no larger
/// than src's, nor x's outside `dim`. d/dx = 1, d/dsrc = gather of the gradient.
Tensor scatter_add(const Tensor& x, std::int64_t dim, const Tensor& index, const Tensor& src);
/// The same but writing instead of adding (torch.scatter; at a repeated
/// index the last write wins): x's overwritten places get no gradient; each
/// addressed src element gets the gradient of the place it names (PyTorch's
/// rule, exact when no index repeats).
Tensor scatter(const Tensor& x, std::int64_t dim, const Tensor& index, const Tensor& src);
/// int64 one-hot rows: indices.shape + [num_classes], with num_classes
/// max(indices) + 1 when not given (torch.nn.functional.one_hot).
Tensor one_hot(const Tensor& indices, std::int64_t num_classes = -1);
/// Rows of `weight` (num_embeddings, dim) for int64 `indices` of any shape;
/// repeated rows accumulate; `padding_idx`'s row gets no gradient. With
/// `sparse`, weight's gradient arrives in weight.sparse_grad() as the rows
/// touched and their values (for SparseAdam) instead of a dense tensor.
Tensor embedding(const Tensor& weight, const Tensor& indices,
                 std::optional<std::int64_t> padding_idx = std::nullopt, bool sparse = false);

// ---- elementwise losses (ops/loss.cpp); nn/loss.hpp weights and reduces them ----

/// -y·ln c - (1-y)·ln(1-c) per element for probabilities c and targets y of
/// the same shape, each log clamped at -100 (PyTorch's binary_cross_entropy
/// with reduction none). d/dc = (c - y) / max(c(1-c), 1e-12).
Tensor bce(const Tensor& probs, const Tensor& target);
/// The same from logits x, stable at ±1000: (1-y) x + L·log(1 + e^-x) with
/// L = 1 + (pos_weight - 1) y; `pos_weight` (broadcast) may be undefined.
Tensor bce_with_logits(const Tensor& logits, const Tensor& target,
                       const Tensor& pos_weight = Tensor());

}  // namespace ag

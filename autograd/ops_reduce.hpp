// SPDX-License-Identifier: MIT
// Reductions and matrix products. Part of autograd/ops.hpp.
#pragma once

#include <concepts>
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
/// Whether every / some element over `dims` (all when empty) is nonzero: a
/// bool tensor (torch.all, torch.any), for any dtype; no gradient.
Tensor all(const Tensor& x, const Dims& dims = {}, bool keepdim = false);
Tensor any(const Tensor& x, const Dims& dims = {}, bool keepdim = false);
///@}
///@{
/// The index (int64, no gradient) of the first max / min along `dim`, or of
/// the flattened tensor when `dim` is not given.
Tensor argmax(const Tensor& x, std::optional<std::int64_t> dim = std::nullopt,
              bool keepdim = false);
Tensor argmin(const Tensor& x, std::optional<std::int64_t> dim = std::nullopt,
              bool keepdim = false);
///@}
/// x1·x2 / (max(‖x1‖, eps) · max(‖x2‖, eps)) along `dim` (broadcast), as
/// torch.nn.functional.cosine_similarity in PyTorch 1.13.
Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, std::int64_t dim = 1,
                         double eps = 1e-8);
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
/// LibTorch's spellings: mm (two matrices), bmm (two batches of one size),
/// addmm (β·input + α·a b), outer (two vectors: a bᵀ). ShapeError otherwise.
///@{
Tensor mm(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);
Tensor addmm(const Tensor& input, const Tensor& a, const Tensor& b, double beta = 1.0,
             double alpha = 1.0);
Tensor outer(const Tensor& a, const Tensor& b);
///@}
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

}  // namespace ag

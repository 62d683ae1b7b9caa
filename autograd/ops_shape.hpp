// SPDX-License-Identifier: MIT
// Shapes, rearranging, sliding windows, sorting and indexing by index
// tensors. Part of autograd/ops.hpp.
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
/// x shifted by shifts[k] along dims[k], wrapping around (torch.roll); with
/// no dims, the flattened tensor by one shift.
Tensor roll(const Tensor& x, const std::vector<std::int64_t>& shifts,
            const std::vector<std::int64_t>& dims = {});
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

}  // namespace ag

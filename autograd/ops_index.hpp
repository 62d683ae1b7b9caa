// SPDX-License-Identifier: MIT
// Indexing as LibTorch's (ops/indexing.cpp): t.index({Slice(), 0}),
// t.index({mask}), t.index({rows, cols}), t.index_put_({Slice(), 0}, v),
// t[i], masked_select, nonzero. Part of autograd/ops.hpp.
//
//     using namespace ag::indexing;
//     x.index({Slice(), 0});            // x[:, 0]
//     x.index({Slice(1, None, 2)});     // x[1::2]
//     x.index({"...", None});           // x[..., None]
//     x.index({x > 0});                 // x[x > 0], 1-d
//     x.index({rows, cols});            // x[rows, cols], int64 index tensors
//     x.index_put_({Slice(), 0}, 1.0);  // x[:, 0] = 1
//
// Integers, slices, None and "..." are basic indexing: views of the data in
// the sense of the values they select (this library copies), with gradient.
// Index tensors (int64, negative counting from the end; bool masks, which
// stand for their nonzero() positions) are advanced indexing, as NumPy's:
// they broadcast together, and their result dims stand where the first of
// them was when they are adjacent, first otherwise. Gradients flow to the
// values selected (repeats add up). Out-of-range indices are an IndexError
// naming the value and the dim's size.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <variant>
#include <vector>

#include "autograd/ops_math.hpp"
#include "autograd/tensor.hpp"

namespace ag {

namespace indexing {
/// None: a new dim of size 1 (Python's None in an index).
struct NoneIndex {};
inline constexpr NoneIndex None{};
/// "...": as many full slices as the other indices leave dims.
struct EllipsisIndex {};
inline constexpr EllipsisIndex Ellipsis{};

/// One end (or the step) of a Slice: a number, or None for the default.
struct SliceBound {
  std::optional<std::int64_t> value;  ///< none: the default
  SliceBound(NoneIndex = None) {}     ///< the default (implicit, as LibTorch's)
  /// A number (implicit).
  template <Integer I>
  SliceBound(I v) : value(static_cast<std::int64_t>(v)) {}
};
/// start:stop:step as Python's (negative ends count from the end; step > 0).
struct Slice {
  std::optional<std::int64_t> start;  ///< none: 0
  std::optional<std::int64_t> stop;   ///< none: the end
  std::optional<std::int64_t> step;   ///< none: 1
  /// `Slice()` is `:`, `Slice(1, None, 2)` is `1::2`.
  Slice(SliceBound start_ = None, SliceBound stop_ = None, SliceBound step_ = None)
      : start(start_.value), stop(stop_.value), step(step_.value) {}
};
}  // namespace indexing

/// One entry of an index: an integer, a Slice, None, "..." (or Ellipsis), or
/// an index tensor (int64 positions or a bool mask).
class TensorIndex {
 public:
  /// \name Each entry, implicitly, as LibTorch's
  ///@{
  template <Integer I>
  TensorIndex(I i) : entry_(static_cast<std::int64_t>(i)) {}
  TensorIndex(indexing::Slice s) : entry_(s) {}
  TensorIndex(indexing::NoneIndex) : entry_(indexing::None) {}
  TensorIndex(indexing::EllipsisIndex) : entry_(indexing::Ellipsis) {}
  /// "...", as LibTorch's; any other string is a ValueError.
  TensorIndex(const char* text);
  TensorIndex(Tensor t) : entry_(std::move(t)) {}
  ///@}

  /// What the entry is.
  using Entry = std::variant<std::int64_t, indexing::Slice, indexing::NoneIndex,
                             indexing::EllipsisIndex, Tensor>;
  /// The entry.
  const Entry& entry() const { return entry_; }

 private:
  Entry entry_;
};

/// x.index(indices): as Tensor::index.
Tensor index(const Tensor& x, const std::vector<TensorIndex>& indices);
/// A copy of x with `values` (broadcast to the indexed shape, converted to
/// x's dtype) written where `indices` point; differentiable in both.
Tensor index_put(const Tensor& x, const std::vector<TensorIndex>& indices, const Tensor& values);
/// The elements of x where `mask` (bool, broadcast with x) is true, as a
/// 1-d tensor in row-major order (torch.masked_select); d/dx scatters back.
Tensor masked_select(const Tensor& x, const Tensor& mask);
/// The positions of x's nonzero elements, int64 (count, dims), row-major.
Tensor nonzero(const Tensor& x);
/// nonzero(x)'s columns: one int64 index tensor per dim (torch.where(cond)).
std::vector<Tensor> where(const Tensor& cond);

}  // namespace ag

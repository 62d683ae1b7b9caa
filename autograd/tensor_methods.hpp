// SPDX-License-Identifier: MIT
// Tensor's methods that mirror the free functions of ops.hpp, as LibTorch's
// `x.sum(1)` is `ag::sum(x, 1)`: a base of Tensor, so that tensor.hpp stays
// about the handle itself. Each is defined in ops/methods.cpp by calling its
// function; see the function for what it does.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <vector>

#include "autograd/dims.hpp"
#include "autograd/shape.hpp"

namespace ag {

class Tensor;
class TensorIndex;
struct ValuesIndices;

/// The methods of Tensor named after free functions (`x.sum(1)`,
/// `x.argmax(1)`, `x.t()`), for code ported from LibTorch.
class TensorMethods {
 public:
  /// \name Methods mirroring the free functions of ops.hpp (`x.sum(1)` is
  /// `ag::sum(x, 1)`): see each function there.
  ///@{
  Tensor sum(const Dims& dims = {}, bool keepdim = false) const;
  Tensor mean(const Dims& dims = {}, bool keepdim = false) const;
  Tensor prod(std::optional<std::int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor var(const Dims& dims = {}, double correction = 1.0, bool keepdim = false) const;
  Tensor std(const Dims& dims = {}, double correction = 1.0, bool keepdim = false) const;
  Tensor norm(double p = 2.0, const Dims& dims = {}, bool keepdim = false) const;
  Tensor max() const;
  Tensor min() const;
  ValuesIndices max(std::int64_t dim, bool keepdim = false) const;
  ValuesIndices min(std::int64_t dim, bool keepdim = false) const;
  Tensor amax(const Dims& dims = {}, bool keepdim = false) const;
  Tensor amin(const Dims& dims = {}, bool keepdim = false) const;
  Tensor argmax(std::optional<std::int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor argmin(std::optional<std::int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor logsumexp(const Dims& dims, bool keepdim = false) const;
  Tensor cumsum(std::int64_t dim) const;
  Tensor softmax(std::int64_t dim) const;
  Tensor log_softmax(std::int64_t dim) const;
  ValuesIndices sort(std::int64_t dim = -1, bool descending = false) const;
  ValuesIndices topk(std::int64_t k, std::int64_t dim = -1, bool largest = true) const;

  Tensor exp() const;
  Tensor log() const;
  Tensor sqrt() const;
  Tensor rsqrt() const;
  Tensor tanh() const;
  Tensor sigmoid() const;
  Tensor relu() const;
  Tensor abs() const;
  Tensor sin() const;
  Tensor cos() const;
  Tensor pow(double exponent) const;
  Tensor pow(const Tensor& exponent) const;
  Tensor clamp(std::optional<double> lo, std::optional<double> hi) const;

  Tensor reshape(const Shape& shape) const;
  Tensor view(const Shape& shape) const;
  /// The transpose of a matrix (dims 0 and 1; a 0-d or 1-d tensor as it is).
  Tensor t() const;
  Tensor transpose(std::int64_t dim0, std::int64_t dim1) const;
  Tensor permute(const std::vector<std::int64_t>& dims) const;
  Tensor unsqueeze(std::int64_t dim) const;
  Tensor squeeze(std::optional<std::int64_t> dim = std::nullopt) const;
  Tensor flatten(std::int64_t start_dim = 0, std::int64_t end_dim = -1) const;
  Tensor unflatten(std::int64_t dim, const Shape& sizes) const;
  Tensor flip(const Dims& dims) const;
  Tensor repeat(const std::vector<std::int64_t>& repeats) const;
  Tensor expand(const Shape& sizes) const;
  std::vector<Tensor> split(std::int64_t split_size, std::int64_t dim = 0) const;
  std::vector<Tensor> chunk(std::int64_t chunks, std::int64_t dim = 0) const;
  Tensor select(std::int64_t dim, std::int64_t index) const;
  Tensor slice(std::int64_t dim, std::int64_t start, std::int64_t stop,
               std::int64_t step = 1) const;
  Tensor index_select(std::int64_t dim, const Tensor& index) const;
  Tensor gather(std::int64_t dim, const Tensor& index) const;
  Tensor matmul(const Tensor& other) const;
  Tensor masked_fill(const Tensor& mask, double value) const;

  Tensor eq(const Tensor& other) const;
  Tensor ne(const Tensor& other) const;
  Tensor lt(const Tensor& other) const;
  Tensor le(const Tensor& other) const;
  Tensor gt(const Tensor& other) const;
  Tensor ge(const Tensor& other) const;
  Tensor eq(double c) const;
  Tensor ne(double c) const;
  Tensor lt(double c) const;
  Tensor le(double c) const;
  Tensor gt(double c) const;
  Tensor ge(double c) const;
  Tensor logical_not() const;
  Tensor logical_and(const Tensor& other) const;
  Tensor logical_or(const Tensor& other) const;
  Tensor all(const Dims& dims = {}, bool keepdim = false) const;
  Tensor any(const Dims& dims = {}, bool keepdim = false) const;
  Tensor floor_divide(const Tensor& other) const;
  Tensor remainder(const Tensor& other) const;
  Tensor clamp(const Tensor& lo, const Tensor& hi) const;
  Tensor maximum(const Tensor& other) const;
  Tensor minimum(const Tensor& other) const;

  Tensor expand_as(const Tensor& other) const;
  Tensor reshape_as(const Tensor& other) const;
  Tensor view_as(const Tensor& other) const;
  Tensor roll(const std::vector<std::int64_t>& shifts, const std::vector<std::int64_t>& dims) const;
  Tensor mm(const Tensor& other) const;
  Tensor bmm(const Tensor& other) const;
  Tensor outer(const Tensor& other) const;
  ///@}

  /// \name Indexing (ops_index.hpp): `t.index({Slice(), 0})`, `t[i]`.
  ///@{
  Tensor index(std::initializer_list<TensorIndex> indices) const;
  Tensor operator[](std::int64_t i) const;       ///< select(0, i)
  Tensor operator[](const Tensor& index) const;  ///< index({index})
  Tensor masked_select(const Tensor& mask) const;
  Tensor nonzero() const;
  ///@}

 protected:
  TensorMethods() = default;

 private:
  const Tensor& self() const;
};

}  // namespace ag

// SPDX-License-Identifier: MIT
// The dims a reduction works over, accepted in every spelling PyTorch users
// write: one dim, a braced list, a vector, or none (all dims).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

namespace ag {

/// One dim (`sum(x, 1)`, `sum(x, -1)`), several (`sum(x, {0, 2})`), or all
/// (`{}`, the default). Negative dims count from the end.
class Dims {
 public:
  Dims() = default;  ///< all dims
  /// One dim, several, or the dims of a vector (implicit, so any spelling works).
  ///@{
  Dims(std::int64_t dim) : dims_{dim} {}
  Dims(int dim) : dims_{dim} {}
  Dims(std::initializer_list<std::int64_t> dims) : dims_(dims) {}
  Dims(std::vector<std::int64_t> dims) : dims_(std::move(dims)) {}
  ///@}
  /// The dims as given (empty: all).
  const std::vector<std::int64_t>& vec() const { return dims_; }

 private:
  std::vector<std::int64_t> dims_;
};

}  // namespace ag

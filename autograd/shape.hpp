// SPDX-License-Identifier: MIT
// Shapes: sizes, element counts, broadcasting, dim normalisation.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <iterator>
#include <string_view>
#include <vector>

namespace ag {

namespace detail {
[[noreturn]] void fail_rank(std::size_t rank);
}

/// Sizes of each dimension, outermost first; {} is a 0-d (scalar) tensor.
/// Stored inline (no allocation): at most kMaxRank dims, ShapeError beyond.
class Shape {
 public:
  static constexpr std::size_t kMaxRank = 8;  ///< the most dims a shape holds
  /// Member types as a vector of int64 sizes has.
  ///@{
  using value_type = std::int64_t;
  using iterator = std::int64_t*;
  using const_iterator = const std::int64_t*;
  ///@}

  Shape() = default;  ///< 0-d
  /// The sizes given, outermost first.
  Shape(std::initializer_list<std::int64_t> dims) : Shape(dims.begin(), dims.end()) {}
  /// `rank` dims, each `value`.
  explicit Shape(std::size_t rank, std::int64_t value = 0) {
    resize(rank);
    std::fill(begin(), end(), value);
  }
  /// The sizes of a range or a vector.
  ///@{
  template <std::input_iterator It>
  Shape(It first, It last) {
    for (; first != last; ++first) push_back(static_cast<std::int64_t>(*first));
  }
  Shape(const std::vector<std::int64_t>& dims) : Shape(dims.begin(), dims.end()) {}
  ///@}

  /// Access as a vector of sizes; resize and push_back throw ShapeError past kMaxRank.
  ///@{
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::int64_t* begin() { return dims_; }
  std::int64_t* end() { return dims_ + size_; }
  const std::int64_t* begin() const { return dims_; }
  const std::int64_t* end() const { return dims_ + size_; }
  std::int64_t& operator[](std::size_t k) { return dims_[k]; }
  std::int64_t operator[](std::size_t k) const { return dims_[k]; }
  std::int64_t back() const { return dims_[size_ - 1]; }
  std::int64_t& back() { return dims_[size_ - 1]; }

  void resize(std::size_t rank) {
    if (rank > kMaxRank) detail::fail_rank(rank);
    for (std::size_t k = size_; k < rank; ++k) dims_[k] = 0;
    size_ = static_cast<std::uint8_t>(rank);
  }
  void push_back(std::int64_t dim) {
    resize(size_ + 1u);
    dims_[size_ - 1] = dim;
  }
  ///@}
  /// Inserts `dim` before `at`.
  void insert(const_iterator at, std::int64_t dim) {
    const std::size_t k = static_cast<std::size_t>(at - dims_);
    resize(size_ + 1u);
    std::copy_backward(dims_ + k, dims_ + size_ - 1, dims_ + size_);
    dims_[k] = dim;
  }
  /// Inserts [first, last) before `at`.
  template <std::input_iterator It>
  void insert(const_iterator at, It first, It last) {
    std::size_t k = static_cast<std::size_t>(at - dims_);
    for (; first != last; ++first) insert(dims_ + k++, static_cast<std::int64_t>(*first));
  }
  /// Inserts `dims` before `at`.
  void insert(const_iterator at, std::initializer_list<std::int64_t> dims) {
    insert(at, dims.begin(), dims.end());
  }
  /// The sizes as a vector.
  std::vector<std::int64_t> vec() const { return {begin(), end()}; }

  /// Same rank and sizes.
  friend bool operator==(const Shape& a, const Shape& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  std::int64_t dims_[kMaxRank] = {};
  std::uint8_t size_ = 0;
};

/// Prints "[2, 3]" (`std::cout << x.shape()`).
std::ostream& operator<<(std::ostream& out, const Shape& shape);

namespace detail {

/// Number of elements; ShapeError on a negative size, or when the product of
/// the nonzero sizes passes 2^48 (so strides and byte counts never overflow).
std::int64_t checked_numel(const Shape& shape, std::string_view op);

/// Row-major strides in elements.
Shape contiguous_strides(const Shape& shape);

/// NumPy broadcasting of two shapes; ShapeError naming `op` and both shapes.
Shape broadcast_shapes(const Shape& a, const Shape& b, std::string_view op);
/// Whether broadcasting stretches `from` to exactly `to`.
bool broadcasts_to(const Shape& from, const Shape& to);
/// A dim in [-rank, rank) as [0, rank); ShapeError otherwise.
int normalize_dim(std::int64_t dim, std::size_t rank, std::string_view op);

}  // namespace detail
}  // namespace ag

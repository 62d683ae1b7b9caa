// Shapes: sizes, element counts, broadcasting, dim normalisation.
#pragma once

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace ag {

/// Sizes of each dimension, outermost first; {} is a 0-d (scalar) tensor.
using Shape = std::vector<std::int64_t>;

namespace detail {

/// Number of elements; ShapeError on a negative size or an overflowing product.
std::int64_t checked_numel(const Shape& shape, std::string_view op);

/// Row-major strides in elements.
Shape contiguous_strides(const Shape& shape);

/// NumPy broadcasting of two shapes; ShapeError naming `op` and both shapes.
Shape broadcast_shapes(const Shape& a, const Shape& b, std::string_view op);

/// A dim in [-rank, rank) as [0, rank); ShapeError otherwise.
int normalize_dim(std::int64_t dim, std::size_t rank, std::string_view op);

}  // namespace detail
}  // namespace ag

// SPDX-License-Identifier: MIT
#include "autograd/shape.hpp"

#include <limits>
#include <ostream>

#include "autograd/error.hpp"

namespace ag::detail {

void fail_rank(std::size_t rank) {
  fail<ShapeError>("shape: {} dims; tensors have at most {}", rank, Shape::kMaxRank);
}

std::int64_t checked_numel(const Shape& shape, std::string_view op) {
  // Cap well below int64's range so byte counts cannot overflow either. The
  // cap is on the product of the nonzero sizes: an empty tensor of shape
  // {0, 2^62, 4} would still overflow its strides (found by ops_fuzz).
  constexpr std::int64_t kLimit = std::int64_t{1} << 48;
  std::int64_t nonzero = 1;
  bool empty = false;
  for (std::int64_t size : shape) {
    if (size < 0) fail<ShapeError>("{}: negative size in shape {}", op, shape);
    if (size == 0) {
      empty = true;
    } else if (nonzero > kLimit / size) {
      fail<ShapeError>("{}: shape {} has too many elements", op, shape);
    } else {
      nonzero *= size;
    }
  }
  return empty ? 0 : nonzero;
}

Shape contiguous_strides(const Shape& shape) {
  Shape strides(shape.size());
  std::int64_t stride = 1;
  for (std::size_t k = shape.size(); k-- > 0;) {
    strides[k] = stride;
    stride *= shape[k];
  }
  return strides;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, std::string_view op) {
  const std::size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (std::size_t k = 0; k < rank; ++k) {
    const std::int64_t da = k < rank - a.size() ? 1 : a[k - (rank - a.size())];
    const std::int64_t db = k < rank - b.size() ? 1 : b[k - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      fail<ShapeError>("{}: shapes {} and {} cannot be broadcast together", op, a, b);
    }
    out[k] = da == 1 ? db : da;
  }
  return out;
}

bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  const std::size_t lead = to.size() - from.size();
  for (std::size_t k = 0; k < from.size(); ++k) {
    if (from[k] != 1 && from[k] != to[lead + k]) return false;
  }
  return true;
}

int normalize_dim(std::int64_t dim, std::size_t rank, std::string_view op) {
  const auto r = static_cast<std::int64_t>(rank);
  if (dim < -r || dim >= r) {
    fail<ShapeError>("{}: dim {} is out of range for a {}-d tensor (expected [{}, {}])", op, dim,
                     rank, -r, r - 1);
  }
  return static_cast<int>(dim < 0 ? dim + r : dim);
}

}  // namespace ag::detail

namespace ag {

std::ostream& operator<<(std::ostream& out, const Shape& shape) {
  return out << fmt::format("{}", shape);
}

}  // namespace ag

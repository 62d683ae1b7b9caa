// SPDX-License-Identifier: MIT
// Printing tensors like PyTorch's repr, with shape and dtype spelled out.
#include <fmt/format.h>

#include <ostream>

#include "autograd/tensor.hpp"

namespace ag::detail {
namespace {

constexpr std::int64_t kElideAbove = 1000;  // elements; then 3 per edge
constexpr std::int64_t kEdge = 3;

void write(std::string& out, const std::vector<double>& values, const Shape& shape, std::size_t dim,
           std::int64_t offset, bool elide, bool integral) {
  if (shape.empty()) {
    out += integral ? fmt::format("{}", values[offset]) : fmt::format("{:.4f}", values[offset]);
    return;
  }
  const Shape strides = contiguous_strides(shape);
  out += '[';
  const std::int64_t size = shape[dim];
  for (std::int64_t i = 0; i < size; ++i) {
    if (elide && size > 2 * kEdge && i == kEdge) {
      out += dim + 1 == shape.size() ? "..., " : "...,\n" + std::string(dim + 8, ' ');
      i = size - kEdge;
    }
    const std::int64_t at = offset + i * strides[dim];
    if (dim + 1 == shape.size()) {
      out += integral ? fmt::format("{}", values[at]) : fmt::format("{:.4f}", values[at]);
    } else {
      write(out, values, shape, dim + 1, at, elide, integral);
    }
    if (i + 1 < size) {
      out += dim + 1 == shape.size() ? ", " : ",\n" + std::string(dim + 8, ' ');
    }
  }
  out += ']';
}

}  // namespace
}  // namespace ag::detail

auto fmt::formatter<ag::Tensor>::format(const ag::Tensor& t, fmt::format_context& ctx) const
    -> decltype(ctx.out()) {
  if (!t.defined()) return fmt::format_to(ctx.out(), "tensor(undefined)");
  std::string text = "tensor(";
  const std::vector<double> values = t.to_vector();
  const bool integral = !ag::is_floating(t.dtype());
  ag::detail::write(text, values, t.shape(), 0, 0, t.numel() > ag::detail::kElideAbove, integral);
  text += fmt::format(", shape={}, dtype={}", t.shape(), t.dtype());
  if (t.requires_grad()) text += ", requires_grad";
  text += ')';
  return fmt::format_to(ctx.out(), "{}", text);
}

std::ostream& ag::operator<<(std::ostream& out, const Tensor& t) {
  return out << fmt::format("{}", t);
}

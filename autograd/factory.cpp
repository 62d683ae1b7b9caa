// SPDX-License-Identifier: MIT
// Tensor factories: filled, ranges, identity, random.
#include <cmath>

#include "autograd/generator.hpp"
#include "autograd/tensor.hpp"

namespace ag {
namespace {

template <class F>
Tensor fill_with(const Shape& shape, DType dtype, std::string_view op, F value_at) {
  Tensor t = detail::empty_tensor(shape, dtype, op);
  detail::visit_any(dtype, [&](auto zero) {
    using T = decltype(zero);
    T* p = t.data<T>();
    for (std::int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = static_cast<T>(value_at(i));
  });
  return t;
}

}  // namespace

Tensor empty(const Shape& shape, DType dtype) { return detail::empty_tensor(shape, dtype); }

Tensor zeros(const Shape& shape, DType dtype) { return full(shape, 0.0, dtype); }
Tensor ones(const Shape& shape, DType dtype) { return full(shape, 1.0, dtype); }

Tensor full(const Shape& shape, double value, DType dtype) {
  return fill_with(shape, dtype, "full", [value](std::int64_t) { return value; });
}

Tensor scalar_tensor(double value, DType dtype) { return full({}, value, dtype); }

Tensor arange(double start, double end, double step, DType dtype) {
  if (step == 0 || !std::isfinite(start) || !std::isfinite(end) || !std::isfinite(step)) {
    detail::fail<ValueError>("arange: bad range start={} end={} step={}", start, end, step);
  }
  const double count = std::ceil((end - start) / step);
  if (count > 1e15) detail::fail<ShapeError>("arange: {} elements is too many", count);
  const auto n = static_cast<std::int64_t>(std::max(0.0, count));
  return fill_with({n}, dtype, "arange", [=](std::int64_t i) { return start + i * step; });
}

Tensor eye(std::int64_t n, DType dtype) {
  return fill_with({n, n}, dtype, "eye", [n](std::int64_t i) { return i / n == i % n ? 1 : 0; });
}

Tensor index_tensor(const std::vector<std::int64_t>& indices, const Shape& shape) {
  const Shape s = shape.empty() ? Shape{static_cast<std::int64_t>(indices.size())} : shape;
  return Tensor::from(indices, s);
}

Tensor rand(const Shape& shape, Generator& gen, DType dtype, double low, double high) {
  detail::visit_floating(dtype, "rand", [](auto) {});
  return fill_with(shape, dtype, "rand",
                   [&](std::int64_t) { return low + (high - low) * gen.uniform(); });
}

Tensor randn(const Shape& shape, Generator& gen, DType dtype, double mean, double stddev) {
  detail::visit_floating(dtype, "randn", [](auto) {});
  return fill_with(shape, dtype, "randn",
                   [&](std::int64_t) { return mean + stddev * gen.normal(); });
}

}  // namespace ag

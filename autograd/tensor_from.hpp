// SPDX-License-Identifier: MIT
// Template definitions of Tensor (from, data): included by tensor.hpp.
#pragma once

#include <algorithm>
#include <vector>

#include "autograd/tensor.hpp"

namespace ag {

template <class T>
Tensor Tensor::from(const std::vector<T>& values, const Shape& shape) {
  using Stored = stored_type_t<T>;
  Tensor t = detail::empty_tensor(shape, dtype_of<Stored>(), "Tensor::from");
  if (static_cast<std::int64_t>(values.size()) != t.numel()) {
    detail::fail<ShapeError>("Tensor::from: {} values do not fill shape {} ({} elements)",
                             values.size(), shape, t.numel());
  }
  std::transform(values.begin(), values.end(), t.data<Stored>(),
                 [](const T& v) { return static_cast<Stored>(v); });
  return t;
}

template <class T>
Tensor Tensor::from(std::initializer_list<T> values) {
  return from(std::vector<T>(values), {static_cast<std::int64_t>(values.size())});
}

template <class T>
Tensor Tensor::from(std::initializer_list<std::initializer_list<T>> rows) {
  std::vector<T> flat;
  const std::int64_t cols = rows.size() ? static_cast<std::int64_t>(rows.begin()->size()) : 0;
  for (const auto& row : rows) {
    if (static_cast<std::int64_t>(row.size()) != cols) {
      detail::fail<ShapeError>("Tensor::from: ragged rows ({} and {} elements)", cols, row.size());
    }
    flat.insert(flat.end(), row.begin(), row.end());
  }
  return from(flat, {static_cast<std::int64_t>(rows.size()), cols});
}

template <class T>
Tensor Tensor::from(std::initializer_list<std::initializer_list<std::initializer_list<T>>> mats) {
  std::vector<T> flat;
  Shape inner;
  for (const auto& mat : mats) {
    Tensor m = from(mat);
    if (!inner.empty() && m.shape() != inner) {
      detail::fail<ShapeError>("Tensor::from: ragged matrices ({} and {})", inner, m.shape());
    }
    inner = m.shape();
    const auto* values = m.data<stored_type_t<T>>();
    flat.insert(flat.end(), values, values + m.numel());
  }
  if (inner.empty()) inner = {0, 0};
  return from(flat, {static_cast<std::int64_t>(mats.size()), inner[0], inner[1]});
}

template <class T>
T* Tensor::data() {
  if (dtype() != dtype_of<T>()) {
    detail::fail<DTypeError>("Tensor::data: the tensor is {}, not {}", dtype(),
                             dtype_name(dtype_of<T>()));
  }
  return self().data<T>();
}

template <class T>
const T* Tensor::data() const {
  return const_cast<Tensor*>(this)->data<T>();
}

}  // namespace ag

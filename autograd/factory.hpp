// SPDX-License-Identifier: MIT
// Tensor factories: filled, ranged and random tensors, and sampling.
// Included by tensor.hpp; defined in factory.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "autograd/dtype.hpp"
#include "autograd/generator.hpp"
#include "autograd/shape.hpp"

namespace ag {

class Tensor;

/// Uninitialised storage of `shape`. Every factory's dtype defaults to
/// default_dtype() (float32 unless set_default_dtype).
Tensor empty(const Shape& shape, DType dtype = default_dtype());
///@{
/// All zeros / ones / `value`.
Tensor zeros(const Shape& shape, DType dtype = default_dtype());
Tensor ones(const Shape& shape, DType dtype = default_dtype());
Tensor full(const Shape& shape, double value, DType dtype = default_dtype());
///@}
///@{
/// [start, start + step, ...) up to `end` (exclusive), as in PyTorch.
Tensor arange(double start, double end, double step = 1.0, DType dtype = default_dtype());
inline Tensor arange(double end, DType dtype = default_dtype()) {
  return arange(0.0, end, 1.0, dtype);
  ///@}
}
/// The n×n identity.
Tensor eye(std::int64_t n, DType dtype = default_dtype());
/// A one-element 0-d tensor.
Tensor scalar_tensor(double value, DType dtype = default_dtype());
/// Indices (int64) from a list.
Tensor index_tensor(const std::vector<std::int64_t>& indices, const Shape& shape = {});
///@{
/// Uniform on [low, high) / standard normal, from `gen`.
Tensor rand(const Shape& shape, Generator& gen, DType dtype = default_dtype(), double low = 0.0,
            double high = 1.0);
Tensor randn(const Shape& shape, Generator& gen, DType dtype = default_dtype(), double mean = 0.0,
             double stddev = 1.0);
///@}
///@{
/// The same from this thread's default generator (torch.rand, torch.randn).
inline Tensor rand(const Shape& shape, DType dtype = default_dtype(), double low = 0.0,
                   double high = 1.0) {
  return rand(shape, default_generator(), dtype, low, high);
}
inline Tensor randn(const Shape& shape, DType dtype = default_dtype(), double mean = 0.0,
                    double stddev = 1.0) {
  return randn(shape, default_generator(), dtype, mean, stddev);
  ///@}
}
/// int64 uniform on [low, high) (torch.randint); ValueError if low >= high.
Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape,
               Generator& gen = default_generator());
/// A random permutation of 0..n-1 (int64, torch.randperm).
Tensor randperm(std::int64_t n, Generator& gen = default_generator());
/// `num_samples` class indices (int64) per row of `probs` (a (C) or (N, C)
/// float tensor of non-negative weights, normalised per row), with or
/// without replacement (torch.multinomial). ValueError for negative, NaN or
/// all-zero rows, or more samples than nonzero weights without replacement.
Tensor multinomial(const Tensor& probs, std::int64_t num_samples, bool replacement = false,
                   Generator& gen = default_generator());
///@{
/// Of x's shape, in x's dtype or `dtype` (torch.zeros_like, ...); no
/// gradient and no history. rand_like and randn_like draw from `gen`.
Tensor empty_like(const Tensor& x, std::optional<DType> dtype = std::nullopt);
Tensor zeros_like(const Tensor& x, std::optional<DType> dtype = std::nullopt);
Tensor ones_like(const Tensor& x, std::optional<DType> dtype = std::nullopt);
Tensor full_like(const Tensor& x, double value, std::optional<DType> dtype = std::nullopt);
Tensor rand_like(const Tensor& x, Generator& gen = default_generator());
Tensor randn_like(const Tensor& x, Generator& gen = default_generator());
///@}
/// Shuffles `items` in place, reproducibly from `gen` (Fisher–Yates).
template <class T>
void shuffle(std::vector<T>& items, Generator& gen = default_generator()) {
  for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[gen.below(i)]);
}

}  // namespace ag

// SPDX-License-Identifier: MIT
// Tensor factories: filled, ranges, identity, random.
#include <cmath>
#include <type_traits>

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
    for (std::int64_t i = 0, n = t.numel(); i < n; ++i) {
      const double v = value_at(i);
      if (std::is_same_v<T, std::int64_t> && !detail::fits_int64(v)) {
        detail::fail<ValueError>("{}: value {} cannot be converted to int64 without overflow", op,
                                 v);
      }
      p[i] = static_cast<T>(v);
    }
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

Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, Generator& gen) {
  if (low >= high) detail::fail<ValueError>("randint: empty range [{}, {})", low, high);
  const auto span = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low);
  Tensor t = detail::empty_tensor(shape, DType::int64, "randint");
  std::int64_t* p = t.data<std::int64_t>();
  for (std::int64_t i = 0, n = t.numel(); i < n; ++i) {
    p[i] = static_cast<std::int64_t>(static_cast<std::uint64_t>(low) + gen.below(span));
  }
  return t;
}

Tensor randperm(std::int64_t n, Generator& gen) {
  if (n < 0) detail::fail<ValueError>("randperm: n = {} is negative", n);
  std::vector<std::int64_t> values(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) values[i] = i;
  shuffle(values, gen);
  return Tensor::from(values, {n});
}

Tensor multinomial(const Tensor& probs, std::int64_t num_samples, bool replacement,
                   Generator& gen) {
  if (probs.dim() < 1 || probs.dim() > 2 || !is_floating(probs.dtype())) {
    detail::fail<ShapeError>("multinomial: expected float weights (C) or (N, C), got {} {}",
                             probs.dtype(), probs.shape());
  }
  const std::int64_t classes = probs.shape().back(), rows = probs.dim() == 2 ? probs.size(0) : 1;
  if (num_samples < 1 || (!replacement && num_samples > classes)) {
    detail::fail<ValueError>("multinomial: cannot draw {} samples from {} classes {}", num_samples,
                             classes, replacement ? "with replacement" : "without replacement");
  }
  const std::vector<double> all = probs.to_vector();
  std::vector<std::int64_t> out;
  for (std::int64_t r = 0; r < rows; ++r) {
    std::vector<double> w(all.begin() + r * classes, all.begin() + (r + 1) * classes);
    std::int64_t nonzero = 0;
    for (double x : w) {
      if (!(x >= 0) || !std::isfinite(x)) {
        detail::fail<ValueError>("multinomial: row {} holds a weight {} (negative, NaN or inf)", r,
                                 x);
      }
      nonzero += x > 0;
    }
    if (nonzero == 0 || (!replacement && num_samples > nonzero)) {
      detail::fail<ValueError>("multinomial: row {} has {} nonzero weights for {} samples", r,
                               nonzero, num_samples);
    }
    for (std::int64_t s = 0; s < num_samples; ++s) {
      double total = 0;
      for (double x : w) total += x;
      // The first class whose running sum passes u · total.
      const double u = gen.uniform() * total;
      double running = 0;
      std::int64_t pick = classes - 1;
      for (std::int64_t c = 0; c < classes; ++c) {
        running += w[c];
        if (u < running && w[c] > 0) {
          pick = c;
          break;
        }
      }
      while (w[pick] == 0) --pick;  // rounding at the top end
      out.push_back(pick);
      if (!replacement) w[pick] = 0;
    }
  }
  return probs.dim() == 2 ? Tensor::from(out, {rows, num_samples})
                          : Tensor::from(out, {num_samples});
}

Tensor empty_like(const Tensor& x, std::optional<DType> dtype) {
  return empty(x.shape(), dtype.value_or(x.dtype()));
}
Tensor zeros_like(const Tensor& x, std::optional<DType> dtype) {
  return zeros(x.shape(), dtype.value_or(x.dtype()));
}
Tensor ones_like(const Tensor& x, std::optional<DType> dtype) {
  return ones(x.shape(), dtype.value_or(x.dtype()));
}
Tensor full_like(const Tensor& x, double value, std::optional<DType> dtype) {
  return full(x.shape(), value, dtype.value_or(x.dtype()));
}
Tensor rand_like(const Tensor& x, Generator& gen) { return rand(x.shape(), gen, x.dtype()); }
Tensor randn_like(const Tensor& x, Generator& gen) { return randn(x.shape(), gen, x.dtype()); }

}  // namespace ag

// SPDX-License-Identifier: MIT
// Tensor's methods: each is the free function of ops.hpp of the same name
// (`x.sum(1)` is `ag::sum(x, 1)`), for users coming from LibTorch.
#include "autograd/ops.hpp"

namespace ag {

const Tensor& TensorMethods::self() const { return static_cast<const Tensor&>(*this); }

Tensor TensorMethods::sum(const Dims& dims, bool keepdim) const {
  return ag::sum(self(), dims, keepdim);
}
Tensor TensorMethods::mean(const Dims& dims, bool keepdim) const {
  return ag::mean(self(), dims, keepdim);
}
Tensor TensorMethods::prod(std::optional<std::int64_t> dim, bool keepdim) const {
  return ag::prod(self(), dim, keepdim);
}
Tensor TensorMethods::var(const Dims& dims, double correction, bool keepdim) const {
  return ag::var(self(), dims, correction, keepdim);
}
Tensor TensorMethods::std(const Dims& dims, double correction, bool keepdim) const {
  return ag::std(self(), dims, correction, keepdim);
}
Tensor TensorMethods::norm(double p, const Dims& dims, bool keepdim) const {
  return ag::norm(self(), p, dims, keepdim);
}
Tensor TensorMethods::max() const { return ag::max(self()); }
Tensor TensorMethods::min() const { return ag::min(self()); }
ValuesIndices TensorMethods::max(std::int64_t dim, bool keepdim) const {
  return ag::max(self(), dim, keepdim);
}
ValuesIndices TensorMethods::min(std::int64_t dim, bool keepdim) const {
  return ag::min(self(), dim, keepdim);
}
Tensor TensorMethods::amax(const Dims& dims, bool keepdim) const {
  return ag::amax(self(), dims, keepdim);
}
Tensor TensorMethods::amin(const Dims& dims, bool keepdim) const {
  return ag::amin(self(), dims, keepdim);
}
Tensor TensorMethods::argmax(std::optional<std::int64_t> dim, bool keepdim) const {
  return ag::argmax(self(), dim, keepdim);
}
Tensor TensorMethods::argmin(std::optional<std::int64_t> dim, bool keepdim) const {
  return ag::argmin(self(), dim, keepdim);
}
Tensor TensorMethods::logsumexp(const Dims& dims, bool keepdim) const {
  return ag::logsumexp(self(), dims, keepdim);
}
Tensor TensorMethods::cumsum(std::int64_t dim) const { return ag::cumsum(self(), dim); }
Tensor TensorMethods::softmax(std::int64_t dim) const { return ag::softmax(self(), dim); }
Tensor TensorMethods::log_softmax(std::int64_t dim) const { return ag::log_softmax(self(), dim); }
ValuesIndices TensorMethods::sort(std::int64_t dim, bool descending) const {
  return ag::sort(self(), dim, descending);
}
ValuesIndices TensorMethods::topk(std::int64_t k, std::int64_t dim, bool largest) const {
  return ag::topk(self(), k, dim, largest);
}

Tensor TensorMethods::exp() const { return ag::exp(self()); }
Tensor TensorMethods::log() const { return ag::log(self()); }
Tensor TensorMethods::sqrt() const { return ag::sqrt(self()); }
Tensor TensorMethods::rsqrt() const { return ag::rsqrt(self()); }
Tensor TensorMethods::tanh() const { return ag::tanh(self()); }
Tensor TensorMethods::sigmoid() const { return ag::sigmoid(self()); }
Tensor TensorMethods::relu() const { return ag::relu(self()); }
Tensor TensorMethods::abs() const { return ag::abs(self()); }
Tensor TensorMethods::sin() const { return ag::sin(self()); }
Tensor TensorMethods::cos() const { return ag::cos(self()); }
Tensor TensorMethods::pow(double exponent) const { return ag::pow(self(), exponent); }
Tensor TensorMethods::pow(const Tensor& exponent) const { return ag::pow(self(), exponent); }
Tensor TensorMethods::clamp(std::optional<double> lo, std::optional<double> hi) const {
  return ag::clamp(self(), lo, hi);
}

Tensor TensorMethods::reshape(const Shape& shape) const { return ag::reshape(self(), shape); }
Tensor TensorMethods::view(const Shape& shape) const { return ag::view(self(), shape); }
Tensor TensorMethods::t() const { return self().dim() < 2 ? self() : ag::transpose(self(), 0, 1); }
Tensor TensorMethods::transpose(std::int64_t dim0, std::int64_t dim1) const {
  return ag::transpose(self(), dim0, dim1);
}
Tensor TensorMethods::permute(const std::vector<std::int64_t>& dims) const {
  return ag::permute(self(), dims);
}
Tensor TensorMethods::unsqueeze(std::int64_t dim) const { return ag::unsqueeze(self(), dim); }
Tensor TensorMethods::squeeze(std::optional<std::int64_t> dim) const {
  return ag::squeeze(self(), dim);
}
Tensor TensorMethods::flatten(std::int64_t start_dim, std::int64_t end_dim) const {
  return ag::flatten(self(), start_dim, end_dim);
}
Tensor TensorMethods::unflatten(std::int64_t dim, const Shape& sizes) const {
  return ag::unflatten(self(), dim, sizes);
}
Tensor TensorMethods::flip(const Dims& dims) const { return ag::flip(self(), dims); }
Tensor TensorMethods::repeat(const std::vector<std::int64_t>& repeats) const {
  return ag::repeat(self(), repeats);
}
Tensor TensorMethods::expand(const Shape& sizes) const { return ag::expand(self(), sizes); }
std::vector<Tensor> TensorMethods::split(std::int64_t split_size, std::int64_t dim) const {
  return ag::split(self(), split_size, dim);
}
std::vector<Tensor> TensorMethods::chunk(std::int64_t chunks, std::int64_t dim) const {
  return ag::chunk(self(), chunks, dim);
}
Tensor TensorMethods::select(std::int64_t dim, std::int64_t index) const {
  return ag::select(self(), dim, index);
}
Tensor TensorMethods::slice(std::int64_t dim, std::int64_t start, std::int64_t stop,
                            std::int64_t step) const {
  return ag::slice(self(), dim, start, stop, step);
}
Tensor TensorMethods::index_select(std::int64_t dim, const Tensor& index) const {
  return ag::index_select(self(), dim, index);
}
Tensor TensorMethods::gather(std::int64_t dim, const Tensor& index) const {
  return ag::gather(self(), dim, index);
}
Tensor TensorMethods::matmul(const Tensor& other) const { return ag::matmul(self(), other); }
Tensor TensorMethods::masked_fill(const Tensor& mask, double value) const {
  return ag::masked_fill(self(), mask, value);
}

Tensor TensorMethods::eq(const Tensor& other) const { return ag::eq(self(), other); }
Tensor TensorMethods::ne(const Tensor& other) const { return ag::ne(self(), other); }
Tensor TensorMethods::lt(const Tensor& other) const { return ag::lt(self(), other); }
Tensor TensorMethods::le(const Tensor& other) const { return ag::le(self(), other); }
Tensor TensorMethods::gt(const Tensor& other) const { return ag::gt(self(), other); }
Tensor TensorMethods::ge(const Tensor& other) const { return ag::ge(self(), other); }
Tensor TensorMethods::eq(double c) const { return ag::eq(self(), c); }
Tensor TensorMethods::ne(double c) const { return ag::ne(self(), c); }
Tensor TensorMethods::lt(double c) const { return ag::lt(self(), c); }
Tensor TensorMethods::le(double c) const { return ag::le(self(), c); }
Tensor TensorMethods::gt(double c) const { return ag::gt(self(), c); }
Tensor TensorMethods::ge(double c) const { return ag::ge(self(), c); }
Tensor TensorMethods::logical_not() const { return ag::logical_not(self()); }
Tensor TensorMethods::logical_and(const Tensor& other) const {
  return ag::logical_and(self(), other);
}
Tensor TensorMethods::logical_or(const Tensor& other) const {
  return ag::logical_or(self(), other);
}
Tensor TensorMethods::all(const Dims& dims, bool keepdim) const {
  return ag::all(self(), dims, keepdim);
}
Tensor TensorMethods::any(const Dims& dims, bool keepdim) const {
  return ag::any(self(), dims, keepdim);
}
Tensor TensorMethods::floor_divide(const Tensor& other) const {
  return ag::floor_divide(self(), other);
}
Tensor TensorMethods::remainder(const Tensor& other) const { return ag::remainder(self(), other); }
Tensor TensorMethods::clamp(const Tensor& lo, const Tensor& hi) const {
  return ag::clamp(self(), lo, hi);
}
Tensor TensorMethods::maximum(const Tensor& other) const { return ag::maximum(self(), other); }
Tensor TensorMethods::minimum(const Tensor& other) const { return ag::minimum(self(), other); }
Tensor TensorMethods::expand_as(const Tensor& other) const {
  return ag::expand(self(), other.shape());
}
Tensor TensorMethods::reshape_as(const Tensor& other) const {
  return ag::reshape(self(), other.shape());
}
Tensor TensorMethods::view_as(const Tensor& other) const {
  return ag::reshape(self(), other.shape());
}
Tensor TensorMethods::roll(const std::vector<std::int64_t>& shifts,
                           const std::vector<std::int64_t>& dims) const {
  return ag::roll(self(), shifts, dims);
}
Tensor TensorMethods::mm(const Tensor& other) const { return ag::mm(self(), other); }
Tensor TensorMethods::bmm(const Tensor& other) const { return ag::bmm(self(), other); }
Tensor TensorMethods::outer(const Tensor& other) const { return ag::outer(self(), other); }

}  // namespace ag

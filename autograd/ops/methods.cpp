// SPDX-License-Identifier: MIT
// Tensor's methods: each is the free function of ops.hpp of the same name
// (`x.sum(1)` is `ag::sum(x, 1)`), for users coming from LibTorch.
#include "autograd/ops.hpp"

namespace ag {

Tensor Tensor::sum(const Dims& dims, bool keepdim) const { return ag::sum(*this, dims, keepdim); }
Tensor Tensor::mean(const Dims& dims, bool keepdim) const { return ag::mean(*this, dims, keepdim); }
Tensor Tensor::prod(std::optional<std::int64_t> dim, bool keepdim) const {
  return ag::prod(*this, dim, keepdim);
}
Tensor Tensor::var(const Dims& dims, double correction, bool keepdim) const {
  return ag::var(*this, dims, correction, keepdim);
}
Tensor Tensor::std(const Dims& dims, double correction, bool keepdim) const {
  return ag::std(*this, dims, correction, keepdim);
}
Tensor Tensor::norm(double p, const Dims& dims, bool keepdim) const {
  return ag::norm(*this, p, dims, keepdim);
}
Tensor Tensor::max() const { return ag::max(*this); }
Tensor Tensor::min() const { return ag::min(*this); }
ValuesIndices Tensor::max(std::int64_t dim, bool keepdim) const {
  return ag::max(*this, dim, keepdim);
}
ValuesIndices Tensor::min(std::int64_t dim, bool keepdim) const {
  return ag::min(*this, dim, keepdim);
}
Tensor Tensor::amax(const Dims& dims, bool keepdim) const { return ag::amax(*this, dims, keepdim); }
Tensor Tensor::amin(const Dims& dims, bool keepdim) const { return ag::amin(*this, dims, keepdim); }
Tensor Tensor::argmax(std::optional<std::int64_t> dim, bool keepdim) const {
  return ag::argmax(*this, dim, keepdim);
}
Tensor Tensor::argmin(std::optional<std::int64_t> dim, bool keepdim) const {
  return ag::argmin(*this, dim, keepdim);
}
Tensor Tensor::logsumexp(const Dims& dims, bool keepdim) const {
  return ag::logsumexp(*this, dims, keepdim);
}
Tensor Tensor::cumsum(std::int64_t dim) const { return ag::cumsum(*this, dim); }
Tensor Tensor::softmax(std::int64_t dim) const { return ag::softmax(*this, dim); }
Tensor Tensor::log_softmax(std::int64_t dim) const { return ag::log_softmax(*this, dim); }
ValuesIndices Tensor::sort(std::int64_t dim, bool descending) const {
  return ag::sort(*this, dim, descending);
}
ValuesIndices Tensor::topk(std::int64_t k, std::int64_t dim, bool largest) const {
  return ag::topk(*this, k, dim, largest);
}

Tensor Tensor::exp() const { return ag::exp(*this); }
Tensor Tensor::log() const { return ag::log(*this); }
Tensor Tensor::sqrt() const { return ag::sqrt(*this); }
Tensor Tensor::tanh() const { return ag::tanh(*this); }
Tensor Tensor::sigmoid() const { return ag::sigmoid(*this); }
Tensor Tensor::relu() const { return ag::relu(*this); }
Tensor Tensor::abs() const { return ag::abs(*this); }
Tensor Tensor::sin() const { return ag::sin(*this); }
Tensor Tensor::cos() const { return ag::cos(*this); }
Tensor Tensor::pow(double exponent) const { return ag::pow(*this, exponent); }
Tensor Tensor::pow(const Tensor& exponent) const { return ag::pow(*this, exponent); }
Tensor Tensor::clamp(std::optional<double> lo, std::optional<double> hi) const {
  return ag::clamp(*this, lo, hi);
}

Tensor Tensor::reshape(const Shape& shape) const { return ag::reshape(*this, shape); }
Tensor Tensor::view(const Shape& shape) const { return ag::view(*this, shape); }
Tensor Tensor::t() const { return dim() < 2 ? *this : ag::transpose(*this, 0, 1); }
Tensor Tensor::transpose(std::int64_t dim0, std::int64_t dim1) const {
  return ag::transpose(*this, dim0, dim1);
}
Tensor Tensor::permute(const std::vector<std::int64_t>& dims) const {
  return ag::permute(*this, dims);
}
Tensor Tensor::unsqueeze(std::int64_t dim) const { return ag::unsqueeze(*this, dim); }
Tensor Tensor::squeeze(std::optional<std::int64_t> dim) const { return ag::squeeze(*this, dim); }
Tensor Tensor::flatten(std::int64_t start_dim, std::int64_t end_dim) const {
  return ag::flatten(*this, start_dim, end_dim);
}
Tensor Tensor::unflatten(std::int64_t dim, const Shape& sizes) const {
  return ag::unflatten(*this, dim, sizes);
}
Tensor Tensor::flip(const Dims& dims) const { return ag::flip(*this, dims); }
Tensor Tensor::repeat(const std::vector<std::int64_t>& repeats) const {
  return ag::repeat(*this, repeats);
}
Tensor Tensor::expand(const Shape& sizes) const { return ag::expand(*this, sizes); }
std::vector<Tensor> Tensor::split(std::int64_t split_size, std::int64_t dim) const {
  return ag::split(*this, split_size, dim);
}
std::vector<Tensor> Tensor::chunk(std::int64_t chunks, std::int64_t dim) const {
  return ag::chunk(*this, chunks, dim);
}
Tensor Tensor::select(std::int64_t dim, std::int64_t index) const {
  return ag::select(*this, dim, index);
}
Tensor Tensor::slice(std::int64_t dim, std::int64_t start, std::int64_t stop,
                     std::int64_t step) const {
  return ag::slice(*this, dim, start, stop, step);
}
Tensor Tensor::index_select(std::int64_t dim, const Tensor& index) const {
  return ag::index_select(*this, dim, index);
}
Tensor Tensor::gather(std::int64_t dim, const Tensor& index) const {
  return ag::gather(*this, dim, index);
}
Tensor Tensor::matmul(const Tensor& other) const { return ag::matmul(*this, other); }
Tensor Tensor::masked_fill(const Tensor& mask, double value) const {
  return ag::masked_fill(*this, mask, value);
}

}  // namespace ag

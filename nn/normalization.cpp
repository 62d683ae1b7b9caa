// SPDX-License-Identifier: MIT
#include "autograd/nn/normalization.hpp"

#include <cmath>

namespace ag::nn {

Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps) {
  const std::size_t k = normalized_shape.size();
  const bool trailing =
      k > 0 && x.shape().size() >= k &&
      std::equal(normalized_shape.begin(), normalized_shape.end(), x.shape().end() - k);
  if (!trailing) {
    detail::fail<ShapeError>("layer_norm: expected trailing dims {}, got shape {}",
                             normalized_shape, x.shape());
  }
  for (const Tensor* t : {&weight, &bias}) {
    if (t->defined() && t->shape() != normalized_shape) {
      detail::fail<ShapeError>("layer_norm: weight and bias must be {}, got {}", normalized_shape,
                               t->shape());
    }
  }
  if (!(std::isfinite(eps) && eps >= 0)) {
    detail::fail<ValueError>("layer_norm: eps = {} is not a finite number >= 0", eps);
  }
  std::vector<std::int64_t> dims;
  for (std::size_t d = 0; d < k; ++d) dims.push_back(-1 - static_cast<std::int64_t>(d));
  const Tensor centered = x - mean(x, dims, true);
  const Tensor variance = mean(centered * centered, dims, true);
  Tensor y = centered / sqrt(variance + eps);
  if (weight.defined()) y = y * weight;
  return bias.defined() ? y + bias : y;
}

LayerNorm::LayerNorm(Shape normalized_shape, double eps, bool affine, DType dtype)
    : normalized_shape_(std::move(normalized_shape)), eps_(eps) {
  bool positive = !normalized_shape_.empty();
  for (std::int64_t size : normalized_shape_) positive = positive && size > 0;
  if (!positive) {
    detail::fail<ShapeError>("LayerNorm: normalized_shape must be positive sizes, got {}",
                             normalized_shape_);
  }
  if (!(std::isfinite(eps) && eps >= 0)) {
    detail::fail<ValueError>("LayerNorm: eps = {} is not a finite number >= 0", eps);
  }
  if (affine) {
    weight = register_parameter("weight", ones(normalized_shape_, dtype));
    bias = register_parameter("bias", zeros(normalized_shape_, dtype));
  }
}

Tensor LayerNorm::forward(const Tensor& x) {
  return layer_norm(x, normalized_shape_, weight, bias, eps_);
}

std::string LayerNorm::name() const {
  if (normalized_shape_.size() == 1) return fmt::format("LayerNorm({})", normalized_shape_[0]);
  return fmt::format("LayerNorm({})", normalized_shape_);
}

}  // namespace ag::nn

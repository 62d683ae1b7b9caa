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

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training, double momentum,
                  double eps) {
  if (x.dim() != 2 && x.dim() != 3) {
    detail::fail<ShapeError>("batch_norm: input must be (N, C) or (N, C, L), got {}", x.shape());
  }
  const std::int64_t channels = x.size(1);
  for (const Tensor* t : {&running_mean, &running_var, &weight, &bias}) {
    if (t->defined() && t->shape() != Shape{channels}) {
      detail::fail<ShapeError>("batch_norm: statistics, weight and bias must be [{}], got {}",
                               channels, t->shape());
    }
  }
  if (!(std::isfinite(eps) && eps >= 0) || !(momentum >= 0 && momentum <= 1)) {
    detail::fail<ValueError>("batch_norm: eps {} must be >= 0 and momentum {} in [0, 1]", eps,
                             momentum);
  }
  if (!training && !(running_mean.defined() && running_var.defined())) {
    detail::fail<ValueError>("batch_norm: evaluation needs running_mean and running_var");
  }
  // Statistics broadcast along C: shape (C) or (C, 1).
  const Shape per_channel = x.dim() == 2 ? Shape{channels} : Shape{channels, 1};
  const std::vector<std::int64_t> dims =
      x.dim() == 2 ? std::vector<std::int64_t>{0} : std::vector<std::int64_t>{0, 2};
  Tensor y;
  if (training) {
    const std::int64_t count = x.numel() / std::max<std::int64_t>(channels, 1);
    if (count <= 1) {
      detail::fail<ShapeError>(
          "batch_norm: training needs more than one value per channel, "
          "got input {}",
          x.shape());
    }
    const Tensor centered = x - mean(x, dims, true);
    const Tensor variance = mean(centered * centered, dims, true);
    y = centered / sqrt(variance + eps);
    if (running_mean.defined() && running_var.defined()) {
      const NoGradGuard no_grad;
      const double unbias = static_cast<double>(count) / static_cast<double>(count - 1);
      Tensor rm = running_mean, rv = running_var;
      rm.assign((1.0 - momentum) * running_mean + momentum * reshape(mean(x, dims), {channels}));
      rv.assign((1.0 - momentum) * running_var +
                (momentum * unbias) * reshape(variance.detach(), {channels}));
    }
  } else {
    y = (x - reshape(running_mean, per_channel)) / sqrt(reshape(running_var, per_channel) + eps);
  }
  if (weight.defined()) y = y * reshape(weight, per_channel);
  return bias.defined() ? y + reshape(bias, per_channel) : y;
}

BatchNorm1d::BatchNorm1d(std::int64_t num_features, double eps, double momentum, bool affine,
                         bool track_running_stats, DType dtype)
    : features_(num_features), eps_(eps), momentum_(momentum) {
  if (num_features < 1) {
    detail::fail<ShapeError>("BatchNorm1d: num_features {} must be positive", num_features);
  }
  if (!(std::isfinite(eps) && eps >= 0) || !(momentum >= 0 && momentum <= 1)) {
    detail::fail<ValueError>("BatchNorm1d: eps {} must be >= 0 and momentum {} in [0, 1]", eps,
                             momentum);
  }
  if (affine) {
    weight = register_parameter("weight", ones({num_features}, dtype));
    bias = register_parameter("bias", zeros({num_features}, dtype));
  }
  if (track_running_stats) {
    running_mean = register_buffer("running_mean", zeros({num_features}, dtype));
    running_var = register_buffer("running_var", ones({num_features}, dtype));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, DType::int64));
  }
}

Tensor BatchNorm1d::forward(const Tensor& x) {
  const bool batch_stats = is_training() || !running_mean.defined();
  Tensor y = batch_norm(x, running_mean, running_var, weight, bias, batch_stats, momentum_, eps_);
  if (is_training() && num_batches_tracked.defined()) {
    ++*num_batches_tracked.data<std::int64_t>();  // int64 arithmetic has no op
    num_batches_tracked.mark_modified();
  }
  return y;
}

std::string BatchNorm1d::name() const {
  return fmt::format("BatchNorm1d({}, eps={}, momentum={}, affine={}, track_running_stats={})",
                     features_, eps_, momentum_, weight.defined(), running_mean.defined());
}

}  // namespace ag::nn

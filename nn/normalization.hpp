// SPDX-License-Identifier: MIT
// Normalization layers: LayerNorm, BatchNorm1d and their functional forms.
#pragma once

#include <string>

#include "autograd/nn/module.hpp"
#include "autograd/ops.hpp"

namespace ag::nn {

/// x normalised over its trailing dims `normalized_shape` to mean 0 and
/// variance 1 (biased), (x - mean) / sqrt(var + eps), then times `weight`
/// plus `bias` (each of `normalized_shape`, either may be undefined), as
/// torch.nn.functional.layer_norm. ShapeError if x's trailing dims differ.
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);

/// layer_norm as a module, with learned weight (ones) and bias (zeros) of
/// `normalized_shape` when `affine`: LayerNorm(512) over the last dim,
/// LayerNorm({8, 8}) over the last two.
class LayerNorm : public Module {
 public:
  /// Over the trailing dims `normalized_shape`.
  explicit LayerNorm(Shape normalized_shape, double eps = 1e-5, bool affine = true,
                     DType dtype = default_dtype());
  /// Over the last dim, of `features` sizes.
  explicit LayerNorm(std::int64_t features, double eps = 1e-5, bool affine = true,
                     DType dtype = default_dtype())
      : LayerNorm(Shape{features}, eps, affine, dtype) {}
  Tensor forward(const Tensor& x) override;
  std::string name() const override;
  Tensor weight;  ///< normalized_shape, ones; undefined without affine
  Tensor bias;    ///< normalized_shape, zeros; undefined without affine

 private:
  Shape normalized_shape_;
  double eps_;
};

/// x (N, C) or (N, C, L) normalised per channel, as F.batch_norm. In
/// training, with the batch's mean and biased variance over N (and L), and
/// the running statistics (if defined, shape (C)) moved toward the batch's
/// by `momentum` (the variance unbiased), outside the graph; otherwise with
/// the running statistics. Then times weight plus bias (each (C) or
/// undefined). ShapeError on a training batch of one value per channel.
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight = Tensor(), const Tensor& bias = Tensor(),
                  bool training = false, double momentum = 0.1, double eps = 1e-5);

/// batch_norm as a layer over (N, C) or (N, C, L), as torch.nn.BatchNorm1d:
/// weight (ones) and bias (zeros) when `affine`; buffers running_mean
/// (zeros), running_var (ones) and num_batches_tracked when
/// `track_running_stats`. Training mode uses and updates batch
/// statistics, eval() the running ones.
class BatchNorm1d : public Module {
 public:
  /// Over `num_features` channels.
  explicit BatchNorm1d(std::int64_t num_features, double eps = 1e-5, double momentum = 0.1,
                       bool affine = true, bool track_running_stats = true,
                       DType dtype = default_dtype());
  Tensor forward(const Tensor& x) override;
  std::string name() const override;
  Tensor weight;               ///< (C), ones; undefined without affine
  Tensor bias;                 ///< (C), zeros; undefined without affine
  Tensor running_mean;         ///< (C) buffer; undefined without running stats
  Tensor running_var;          ///< (C) buffer
  Tensor num_batches_tracked;  ///< int64 scalar buffer: training batches seen

 private:
  std::int64_t features_;
  double eps_, momentum_;
};

}  // namespace ag::nn

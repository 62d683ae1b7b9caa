// SPDX-License-Identifier: MIT
// Normalization layers: LayerNorm and its functional form.
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

}  // namespace ag::nn

// SPDX-License-Identifier: MIT
// RMSprop (Hinton's lecture 6e), centered or not, with momentum, as
// PyTorch 1.13's torch.optim.RMSprop.
#pragma once

#include "autograd/nn/optim/optimizer.hpp"

namespace ag::optim {

/// RMSprop's settings, with PyTorch's defaults.
struct RMSpropOptions {
  double lr = 0.01;           ///< learning rate
  double alpha = 0.99;        ///< smoothing constant of the squared-gradient average
  double eps = 1e-8;          ///< added to the denominator for stability
  double weight_decay = 0.0;  ///< L2 penalty added to the gradient
  double momentum = 0.0;      ///< momentum factor (0: none)
  bool centered = false;      ///< normalise by the centered variance
  bool maximize = false;      ///< ascend: the rule runs on -g (as PyTorch)
  /// ValueError naming the setting unless every one is finite and >= 0.
  void validate() const;
};

/// v = α v + (1-α) g²; denominator √(v - ḡ²) (centered) or √v, plus eps;
/// with momentum buf = m·buf + g/denominator, p -= lr·buf; else p -= lr·g/denominator.
class RMSprop : public detail::Grouped<RMSpropOptions> {
 public:
  /// Optimizes `params` (one group) with `options`.
  explicit RMSprop(std::vector<Tensor> params, RMSpropOptions options = {})
      : Grouped(std::move(params), options, {"square_avg", "grad_avg", "momentum_buffer"}) {}
  void step() override;
};

}  // namespace ag::optim

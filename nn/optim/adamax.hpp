// SPDX-License-Identifier: MIT
// Adamax (Kingma & Ba 2015, section 7): Adam with the infinity norm, as
// PyTorch 1.13's torch.optim.Adamax.
#pragma once

#include "autograd/nn/optim/optimizer.hpp"

namespace ag::optim {

/// Adamax's settings, with PyTorch's defaults.
struct AdamaxOptions {
  double lr = 2e-3;           ///< learning rate
  double beta1 = 0.9;         ///< decay of the first moment
  double beta2 = 0.999;       ///< decay of the second moment
  double eps = 1e-8;          ///< added to the denominator for stability
  double weight_decay = 0.0;  ///< L2 penalty added to the gradient
  bool maximize = false;      ///< ascend: the rule runs on -g (as PyTorch)
  /// ValueError naming the setting unless it is in range (see Adam's).
  void validate() const;
};
/// Adam with the infinity norm: m = β1 m + (1-β1) g; u = max(β2 u, |g| + eps);
/// p -= lr/(1-β1^t) · m/u.
class Adamax : public detail::Grouped<AdamaxOptions> {
 public:
  /// Optimizes `params` (one group) with `options`.
  explicit Adamax(std::vector<Tensor> params, AdamaxOptions options = {})
      : Grouped(std::move(params), options, {"exp_avg", "exp_inf"}) {}
  void step() override;
};

}  // namespace ag::optim

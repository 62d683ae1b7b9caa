// SPDX-License-Identifier: MIT
// Adadelta (Zeiler 2012), as PyTorch 1.13's torch.optim.Adadelta.
#pragma once

#include "autograd/nn/optim/optimizer.hpp"

namespace ag::optim {

/// Adadelta's settings, with PyTorch's defaults.
struct AdadeltaOptions {
  double lr = 1.0;            ///< learning rate
  double rho = 0.9;           ///< decay of the running averages
  double eps = 1e-6;          ///< added to the denominator for stability
  double weight_decay = 0.0;  ///< L2 penalty added to the gradient
  bool maximize = false;      ///< ascend: the rule runs on -g (as PyTorch)
  /// ValueError naming the setting unless lr, eps and weight_decay are
  /// finite and >= 0 and rho in [0, 1].
  void validate() const;
};

/// v = ρ v + (1-ρ) g²; δ = √(u + eps)/√(v + eps) · g; u = ρ u + (1-ρ) δ²; p -= lr·δ.
class Adadelta : public detail::Grouped<AdadeltaOptions> {
 public:
  /// Optimizes `params` (one group) with `options`.
  explicit Adadelta(std::vector<Tensor> params, AdadeltaOptions options = {})
      : Grouped(std::move(params), options, {"square_avg", "acc_delta"}) {}
  void step() override;
};

}  // namespace ag::optim

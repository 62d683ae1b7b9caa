// SPDX-License-Identifier: MIT
// Adagrad (Duchi et al. 2011), as PyTorch 1.13's torch.optim.Adagrad.
#pragma once

#include "autograd/nn/optim/optimizer.hpp"

namespace ag::optim {

/// Adagrad's settings, with PyTorch's defaults.
struct AdagradOptions {
  double lr = 1e-2;                        ///< learning rate
  double lr_decay = 0.0;                   ///< learning-rate decay per step
  double weight_decay = 0.0;               ///< L2 penalty added to the gradient
  double initial_accumulator_value = 0.0;  ///< starting value of the squared-gradient sum
  double eps = 1e-10;                      ///< added to the denominator for stability
  bool maximize = false;                   ///< ascend: the rule runs on -g (as PyTorch)
  /// ValueError naming the setting unless every one is finite and >= 0.
  void validate() const;
};

/// sum += g²; p -= lr/(1 + (t-1)·lr_decay) · g/(√sum + eps).
class Adagrad : public detail::Grouped<AdagradOptions> {
 public:
  /// Optimizes `params` (one group) with `options`.
  explicit Adagrad(std::vector<Tensor> params, AdagradOptions options = {})
      : Grouped(std::move(params), options, {"sum"}) {}
  void step() override;
};

}  // namespace ag::optim

// SPDX-License-Identifier: MIT
// Adam (Kingma & Ba 2015), with AMSGrad, and AdamW (decoupled weight
// decay, Loshchilov & Hutter 2019), as PyTorch 1.13's torch.optim.Adam and
// AdamW.
#pragma once

#include "autograd/nn/optim/optimizer.hpp"

namespace ag::optim {

/// AdamW's settings, with PyTorch's defaults: Adam's, but weight_decay 0.01,
/// also when other fields are given (`AdamW(params, {.lr = 0.1})`).
struct AdamWOptions {
  double lr = 1e-3;            ///< learning rate
  double beta1 = 0.9;          ///< decay of the first moment
  double beta2 = 0.999;        ///< decay of the second moment
  double eps = 1e-8;           ///< added to the denominator for stability
  double weight_decay = 1e-2;  ///< decoupled: p *= 1 - lr·wd before the Adam step
  bool amsgrad = false;        ///< keep the maximum of the second moments (AMSGrad)
  bool maximize = false;       ///< ascend: the rule runs on -g (as PyTorch)
};

/// Adam's settings, with PyTorch's defaults.
struct AdamOptions {
  double lr = 1e-3;           ///< learning rate
  double beta1 = 0.9;         ///< decay of the first moment
  double beta2 = 0.999;       ///< decay of the second moment
  double eps = 1e-8;          ///< added to the denominator for stability
  double weight_decay = 0.0;  ///< L2 penalty added to the gradient
  bool amsgrad = false;       ///< keep the maximum of the second moments (AMSGrad)
  bool maximize = false;      ///< ascend: the rule runs on -g (as PyTorch)
  /// ValueError naming the setting unless lr, eps and weight_decay are
  /// finite and >= 0 and both betas in [0, 1).
  void validate() const;
  /// Adam's settings given to AdamW are taken as they are (weight_decay 0
  /// unless set).
  operator AdamWOptions() const { return {lr, beta1, beta2, eps, weight_decay, amsgrad, maximize}; }
};

/// m = β1 m + (1-β1) g; v = β2 v + (1-β2) g²;
/// p -= lr/(1-β1^t) · m / (√v/√(1-β2^t) + eps). Adam's weight decay is L2
/// (added to g); AdamW's is decoupled (p *= 1 - lr·wd first).
class Adam : public detail::Grouped<AdamOptions> {
 public:
  /// Optimizes `params` (one group) with `options`.
  explicit Adam(std::vector<Tensor> params, AdamOptions options = {})
      : Grouped(std::move(params), options, {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}) {}
  void step() override;

 protected:
  bool decoupled_ = false;  ///< AdamW: weight decay applied to the weights, not the gradient
};

/// Adam with decoupled weight decay (Loshchilov & Hutter): see Adam.
class AdamW : public Adam {
 public:
  /// Optimizes `params` (one group) with `options`.
  explicit AdamW(std::vector<Tensor> params, AdamWOptions options = {})
      : Adam(std::move(params), {options.lr, options.beta1, options.beta2, options.eps,
                                 options.weight_decay, options.amsgrad, options.maximize}) {
    decoupled_ = true;
  }
};

}  // namespace ag::optim

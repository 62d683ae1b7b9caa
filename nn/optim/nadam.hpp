// SPDX-License-Identifier: MIT
// NAdam (Dozat 2016): Adam with Nesterov momentum, as PyTorch's torch.optim.NAdam
// from 2.0 on (1.13 multiplies mu_t into the second product twice, a bug fixed
// upstream).
#pragma once

#include "autograd/nn/optim/optimizer.hpp"

namespace ag::optim {

/// NAdam's settings, with PyTorch's defaults.
struct NAdamOptions {
  double lr = 2e-3;              ///< learning rate
  double beta1 = 0.9;            ///< decay of the first moment
  double beta2 = 0.999;          ///< decay of the second moment
  double eps = 1e-8;             ///< added to the denominator for stability
  double weight_decay = 0.0;     ///< L2 penalty added to the gradient
  double momentum_decay = 4e-3;  ///< ψ, how fast the momentum schedule approaches β1
  bool maximize = false;         ///< ascend: the rule runs on -g
  /// ValueError naming the setting unless it is in range (see Adam's).
  void validate() const;
};
/// Adam with Nesterov momentum (Dozat 2016), as PyTorch's NAdam from 2.0 on
/// (1.13 multiplies μ_t into the second product twice, a bug fixed upstream):
/// μ_t = β1 (1 - ½·0.96^(t·ψ)) with ψ = momentum_decay; m and v as Adam;
/// p -= lr (1-μ_t)/(1-Π μ) · g/d + lr μ_{t+1}/(1-Π μ·μ_{t+1}) · m/d,
/// d = √(v/(1-β2^t)) + eps. Weight decay is L2.
class NAdam : public detail::Grouped<NAdamOptions> {
 public:
  /// Optimizes `params` (one group) with `options`.
  explicit NAdam(std::vector<Tensor> params, NAdamOptions options = {})
      : Grouped(std::move(params), options, {"exp_avg", "exp_avg_sq"}) {}
  void step() override;
};

}  // namespace ag::optim

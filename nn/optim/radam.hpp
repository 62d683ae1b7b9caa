// SPDX-License-Identifier: MIT
// RAdam (Liu et al. 2019): Adam with its variance rectified, as PyTorch 1.13's
// torch.optim.RAdam.
#pragma once

#include "autograd/nn/optim/optimizer.hpp"

namespace ag::optim {

/// RAdam's settings, with PyTorch's defaults.
struct RAdamOptions {
  double lr = 1e-3;           ///< learning rate
  double beta1 = 0.9;         ///< decay of the first moment
  double beta2 = 0.999;       ///< decay of the second moment
  double eps = 1e-8;          ///< added to the denominator for stability
  double weight_decay = 0.0;  ///< L2 penalty added to the gradient
  bool maximize = false;      ///< ascend: the rule runs on -g
  /// ValueError naming the setting unless it is in range (see Adam's).
  void validate() const;
};
/// Rectified Adam (Liu et al. 2019), as PyTorch 1.13's RAdam: while the
/// variance estimate's length ρ_t ≤ 5, SGD with momentum on the
/// bias-corrected m; after, Adam's step times the rectification r_t.
class RAdam : public detail::Grouped<RAdamOptions> {
 public:
  /// Optimizes `params` (one group) with `options`.
  explicit RAdam(std::vector<Tensor> params, RAdamOptions options = {})
      : Grouped(std::move(params), options, {"exp_avg", "exp_avg_sq"}) {}
  void step() override;
};

}  // namespace ag::optim

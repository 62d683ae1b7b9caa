// SPDX-License-Identifier: MIT
// SparseAdam: lazy Adam for row-sparse gradients, as PyTorch 1.13's
// torch.optim.SparseAdam.
#pragma once

#include "autograd/nn/optim/optimizer.hpp"

namespace ag::optim {

/// SparseAdam's settings, with PyTorch's defaults.
struct SparseAdamOptions {
  double lr = 1e-3;       ///< learning rate
  double beta1 = 0.9;     ///< decay of the first moment
  double beta2 = 0.999;   ///< decay of the second moment
  double eps = 1e-8;      ///< added to the denominator for stability
  bool maximize = false;  ///< ascend: the rule runs on -g (as PyTorch)
  /// ValueError naming the setting unless lr and eps are finite and >= 0
  /// and both betas in [0, 1).
  void validate() const;
};

/// Lazy Adam for row-sparse gradients (Embedding with sparse=true): only the
/// rows a step's gradient touches update their moments and move, with
/// p_r -= lr·√(1-β2^t)/(1-β1^t) · m_r/(√v_r + eps); t counts every step.
/// Duplicate rows are summed first. Throws ValueError on a dense gradient.
class SparseAdam : public detail::Grouped<SparseAdamOptions> {
 public:
  /// Optimizes `params` (one group) with `options`.
  explicit SparseAdam(std::vector<Tensor> params, SparseAdamOptions options = {})
      : Grouped(std::move(params), options, {"exp_avg", "exp_avg_sq"}) {}
  void step() override;
};

}  // namespace ag::optim

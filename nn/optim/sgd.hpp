// SPDX-License-Identifier: MIT
// SGD with momentum, dampening, Nesterov momentum and weight decay, as
// PyTorch 1.13's torch.optim.SGD.
#pragma once

#include "autograd/nn/optim/optimizer.hpp"

namespace ag::optim {

/// SGD's settings, with PyTorch's defaults.
struct SGDOptions {
  double lr = 0.01;           ///< learning rate
  double momentum = 0.0;      ///< momentum factor (0: none)
  double dampening = 0.0;     ///< dampening of the momentum
  double weight_decay = 0.0;  ///< L2 penalty added to the gradient
  bool nesterov = false;      ///< Nesterov momentum
  bool maximize = false;      ///< ascend: the rule runs on -g (as PyTorch)
  /// ValueError naming the setting unless every one is in range (PyTorch's
  /// checks; Nesterov needs momentum > 0 and dampening 0).
  void validate() const;
};

/// g += wd·p; buf = m·buf + (1-dampening)·g (buf = g on the first step);
/// g = nesterov ? g + m·buf : buf; p -= lr·g.
class SGD : public detail::Grouped<SGDOptions> {
 public:
  /// Optimizes `params` (one group) with `options`.
  SGD(std::vector<Tensor> params, SGDOptions options);
  void step() override;
};

}  // namespace ag::optim

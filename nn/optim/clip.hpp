// SPDX-License-Identifier: MIT
// Gradient clipping (torch.nn.utils.clip_grad_norm_, clip_grad_value_).
#pragma once

#include <vector>

#include "autograd/tensor.hpp"

namespace ag::optim {

/// Scales all gradients so that their global L2 norm (of order `norm_type`)
/// is at most max_norm; returns the norm before clipping.
double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0);
/// Clamps every gradient element to [-clip, clip].
void clip_grad_value_(const std::vector<Tensor>& params, double clip);

}  // namespace ag::optim

// SPDX-License-Identifier: MIT
// Gradient clipping, as torch.nn.utils.clip_grad_norm_ and clip_grad_value_.
#include "autograd/nn/optim/clip.hpp"

#include <algorithm>
#include <cmath>

#include "autograd/error.hpp"
#include "autograd/grad_mode.hpp"
#include "autograd/ops.hpp"

namespace ag::optim {

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type) {
  if (!(std::isfinite(max_norm) && max_norm >= 0) || !(norm_type > 0)) {
    ag::detail::fail<ValueError>(
        "clip_grad_norm_: max_norm = {} must be finite and >= 0, norm_type = {} positive", max_norm,
        norm_type);
  }
  double total = 0.0;
  const bool inf_norm = std::isinf(norm_type);
  for (const Tensor& p : params) {
    if (!p.grad().defined()) continue;
    for (double g : p.grad().to_vector()) {
      total = inf_norm ? std::max(total, std::fabs(g)) : total + std::pow(std::fabs(g), norm_type);
    }
  }
  if (!inf_norm) total = std::pow(total, 1.0 / norm_type);
  const double scale = max_norm / (total + 1e-6);
  if (scale < 1.0) {
    NoGradGuard no_grad;
    for (const Tensor& p : params) {
      Tensor handle = p;  // a handle: the gradient belongs to the shared node
      if (handle.grad().defined()) handle.set_grad(handle.grad() * scale);
    }
  }
  return total;
}

void clip_grad_value_(const std::vector<Tensor>& params, double clip) {
  if (!(std::isfinite(clip) && clip >= 0)) {
    ag::detail::fail<ValueError>("clip_grad_value_: clip = {} is not a finite number >= 0", clip);
  }
  NoGradGuard no_grad;
  for (const Tensor& p : params) {
    Tensor handle = p;
    if (handle.grad().defined()) handle.set_grad(ag::clamp(handle.grad(), -clip, clip));
  }
}

}  // namespace ag::optim

// SPDX-License-Identifier: MIT
// Adam's and AdamW's checks and update, in the order of PyTorch 1.13's
// single-tensor implementation (torch/optim/adam.py, adamw.py).
#include "autograd/nn/optim/adam.hpp"

#include <algorithm>

#include "autograd/nn/optim/checks.hpp"
#include "autograd/nn/optim/update_loop.hpp"

namespace ag::optim {
using namespace detail;

void AdamOptions::validate() const { validate_adam_like(*this, "Adam"); }

void Adam::step() {
  const bool decoupled = decoupled_;
  each_param(groups_, "Adam",
             [decoupled](const AdamOptions& o, const Tensor& p, ParamState& s, auto* __restrict w,
                         const auto* __restrict g0) {
               using T = std::remove_cvref_t<decltype(*w)>;
               const double t = static_cast<double>(++s.step);
               T* __restrict m = buf<T>(slot(s, "exp_avg", p));
               T* __restrict v = buf<T>(slot(s, "exp_avg_sq", p));
               T* __restrict vmax = o.amsgrad ? buf<T>(slot(s, "max_exp_avg_sq", p)) : nullptr;
               const T step_size = T(o.lr / (1 - std::pow(o.beta1, t))),
                       shrink = T(1 - o.lr * o.weight_decay), decay = T(o.weight_decay),
                       beta1 = T(o.beta1), beta2 = T(o.beta2), one_minus_beta1 = T(1 - o.beta1),
                       one_minus_beta2 = T(1 - o.beta2), eps = T(o.eps),
                       bc2_sqrt = T(std::sqrt(1 - std::pow(o.beta2, t)));
               update_elements(
                   p.numel(),
                   [=](std::int64_t k, auto decoupled_decay, auto l2_decay, auto amsgrad)
                       AG_UPDATE_LOOP {
                         if constexpr (decoupled_decay) w[k] *= shrink;
                         decayed_moments<l2_decay()>(g0[k], w[k], decay, m[k], v[k], beta1,
                                                     one_minus_beta1, beta2, one_minus_beta2);
                         T second = v[k];
                         if constexpr (amsgrad) {
                           vmax[k] = std::max(vmax[k], v[k]);
                           second = vmax[k];
                         }
                         const T denom = std::sqrt(second) / bc2_sqrt + eps;
                         w[k] -= step_size * m[k] / denom;
                       },
                   decoupled, !decoupled && o.weight_decay != 0, vmax != nullptr);
             });
}

}  // namespace ag::optim

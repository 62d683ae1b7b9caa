// SPDX-License-Identifier: MIT
// RAdam's checks and update, in the order of PyTorch 1.13's single-tensor
// implementation (torch/optim/radam.py).
#include "autograd/nn/optim/radam.hpp"

#include <algorithm>

#include "autograd/nn/optim/checks.hpp"
#include "autograd/nn/optim/update_loop.hpp"

namespace ag::optim {
using namespace detail;

void RAdamOptions::validate() const { validate_adam_like(*this, "RAdam"); }

void RAdam::step() {
  each_param(groups_, "RAdam",
             [](const RAdamOptions& o, const Tensor& p, ParamState& s, auto* __restrict w,
                const auto* __restrict g0) {
               using T = std::remove_cvref_t<decltype(*w)>;
               const double t = static_cast<double>(++s.step);
               T* __restrict m = buf<T>(slot(s, "exp_avg", p));
               T* __restrict v = buf<T>(slot(s, "exp_avg_sq", p));
               const double bc1 = 1 - std::pow(o.beta1, t), bc2 = 1 - std::pow(o.beta2, t);
               // the length of the approximated simple moving average
               const double rho_inf = 2 / (1 - o.beta2) - 1;
               const double rho_t = rho_inf - 2 * t * std::pow(o.beta2, t) / bc2;
               const bool rectified = rho_t > 5;
               const double rect = rectified ? std::sqrt((rho_t - 4) * (rho_t - 2) * rho_inf /
                                                         ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                                             : 0.0;
               const T decay = T(o.weight_decay), beta1 = T(o.beta1), beta2 = T(o.beta2),
                       one_minus_beta1 = T(1 - o.beta1), one_minus_beta2 = T(1 - o.beta2),
                       eps = T(o.eps), bc1_t = T(bc1), lr = T(o.lr), sqrt_bc2 = T(std::sqrt(bc2)),
                       rect_t = T(rect);
               update_elements(
                   p.numel(),
                   [=](std::int64_t k, auto decays, auto adaptive) AG_UPDATE_LOOP {
                     decayed_moments<decays()>(g0[k], w[k], decay, m[k], v[k], beta1,
                                               one_minus_beta1, beta2, one_minus_beta2);
                     const T corrected = m[k] / bc1_t;
                     if constexpr (adaptive) {
                       const T adaptive_lr = sqrt_bc2 / (std::sqrt(v[k]) + eps);
                       w[k] -= corrected * lr * adaptive_lr * rect_t;
                     } else {
                       w[k] -= corrected * lr;
                     }
                   },
                   o.weight_decay != 0, rectified);
             });
}

}  // namespace ag::optim

// SPDX-License-Identifier: MIT
// NAdam, RAdam and Adamax: Adam's relatives, in the order of PyTorch 1.13's
// single-tensor implementations (torch/optim/{nadam,radam,adamax}.py).
#include <algorithm>
#include <cmath>

#include "autograd/nn/optim_loops.hpp"

namespace ag::optim {
using detail::buf;
using detail::decayed_moments;
using detail::each_param;
using detail::slot;
using detail::split_update;
using detail::with_flags;

void NAdam::step() {
  each_param(
      groups_, "NAdam",
      [](const NAdamOptions& o, const Tensor& p, detail::ParamState& s, auto* __restrict w,
         const auto* __restrict g0) {
        using T = std::remove_cvref_t<decltype(*w)>;
        const double t = static_cast<double>(++s.step);
        T* __restrict m = buf<T>(slot(s, "exp_avg", p));
        T* __restrict v = buf<T>(slot(s, "exp_avg_sq", p));
        const double mu = o.beta1 * (1 - 0.5 * std::pow(0.96, t * o.momentum_decay));
        const double mu_next = o.beta1 * (1 - 0.5 * std::pow(0.96, (t + 1) * o.momentum_decay));
        s.mu_product *= mu;
        const double mu_product_next = s.mu_product * mu_next;
        const T bc2 = T(1 - std::pow(o.beta2, t)), decay = T(o.weight_decay), beta1 = T(o.beta1),
                beta2 = T(o.beta2), one_minus_beta1 = T(1 - o.beta1),
                one_minus_beta2 = T(1 - o.beta2), eps = T(o.eps),
                grad_step = T(-o.lr * (1 - mu) / (1 - s.mu_product)),
                avg_step = T(-o.lr * mu_next / (1 - mu_product_next));
        const std::int64_t n = p.numel();
        with_flags(
            [&](auto decays) {
              split_update(n, [=](std::int64_t first, std::int64_t last) AG_UPDATE_LOOP {
                for (std::int64_t k = first; k < last; ++k) {
                  const T g = decayed_moments<decays()>(g0[k], w[k], decay, m[k], v[k], beta1,
                                                        one_minus_beta1, beta2, one_minus_beta2);
                  const T denom = std::sqrt(v[k] / bc2) + eps;
                  w[k] += grad_step * (g / denom);
                  w[k] += avg_step * (m[k] / denom);
                }
              });
            },
            o.weight_decay != 0);
      });
}

void RAdam::step() {
  each_param(groups_, "RAdam",
             [](const RAdamOptions& o, const Tensor& p, detail::ParamState& s, auto* __restrict w,
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
               const std::int64_t n = p.numel();
               with_flags(
                   [&](auto decays, auto adaptive) {
                     split_update(n, [=](std::int64_t first, std::int64_t last) AG_UPDATE_LOOP {
                       for (std::int64_t k = first; k < last; ++k) {
                         decayed_moments<decays()>(g0[k], w[k], decay, m[k], v[k], beta1,
                                                   one_minus_beta1, beta2, one_minus_beta2);
                         const T corrected = m[k] / bc1_t;
                         if constexpr (adaptive) {
                           const T adaptive_lr = sqrt_bc2 / (std::sqrt(v[k]) + eps);
                           w[k] -= corrected * lr * adaptive_lr * rect_t;
                         } else {
                           w[k] -= corrected * lr;
                         }
                       }
                     });
                   },
                   o.weight_decay != 0, rectified);
             });
}

void Adamax::step() {
  each_param(groups_, "Adamax",
             [](const AdamaxOptions& o, const Tensor& p, detail::ParamState& s, auto* __restrict w,
                const auto* __restrict g0) {
               using T = std::remove_cvref_t<decltype(*w)>;
               const double t = static_cast<double>(++s.step);
               T* __restrict m = buf<T>(slot(s, "exp_avg", p));
               T* __restrict u = buf<T>(slot(s, "exp_inf", p));
               const T decay = T(o.weight_decay), beta1 = T(o.beta1), beta2 = T(o.beta2),
                       one_minus_beta1 = T(1 - o.beta1), eps = T(o.eps),
                       clr = T(o.lr / (1 - std::pow(o.beta1, t)));
               const std::int64_t n = p.numel();
               with_flags(
                   [&](auto decays) {
                     split_update(n, [=](std::int64_t first, std::int64_t last) AG_UPDATE_LOOP {
                       for (std::int64_t k = first; k < last; ++k) {
                         T g = g0[k];
                         if constexpr (decays) g += decay * w[k];
                         m[k] = m[k] * beta1 + g * one_minus_beta1;
                         u[k] = std::max(u[k] * beta2, std::abs(g) + eps);
                         w[k] -= clr * (m[k] / u[k]);
                       }
                     });
                   },
                   o.weight_decay != 0);
             });
}

}  // namespace ag::optim

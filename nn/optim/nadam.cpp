// SPDX-License-Identifier: MIT
// NAdam's checks and update, in the order of PyTorch 1.13's single-tensor
// implementation (torch/optim/nadam.py).
#include "autograd/nn/optim/nadam.hpp"

#include <algorithm>

#include "autograd/nn/optim/checks.hpp"
#include "autograd/nn/optim/update_loop.hpp"

namespace ag::optim {
using namespace detail;

void NAdamOptions::validate() const {
  validate_adam_like(*this, "NAdam");
  require(non_negative(momentum_decay), "NAdam", "momentum_decay", momentum_decay, kNonNegative);
}

void NAdam::step() {
  each_param(groups_, "NAdam",
             [](const NAdamOptions& o, const Tensor& p, ParamState& s, auto* __restrict w,
                const auto* __restrict g0) {
               using T = std::remove_cvref_t<decltype(*w)>;
               const double t = static_cast<double>(++s.step);
               T* __restrict m = buf<T>(slot(s, "exp_avg", p));
               T* __restrict v = buf<T>(slot(s, "exp_avg_sq", p));
               const double mu = o.beta1 * (1 - 0.5 * std::pow(0.96, t * o.momentum_decay));
               const double mu_next =
                   o.beta1 * (1 - 0.5 * std::pow(0.96, (t + 1) * o.momentum_decay));
               s.mu_product *= mu;
               const double mu_product_next = s.mu_product * mu_next;
               const T bc2 = T(1 - std::pow(o.beta2, t)), decay = T(o.weight_decay),
                       beta1 = T(o.beta1), beta2 = T(o.beta2), one_minus_beta1 = T(1 - o.beta1),
                       one_minus_beta2 = T(1 - o.beta2), eps = T(o.eps),
                       grad_step = T(-o.lr * (1 - mu) / (1 - s.mu_product)),
                       avg_step = T(-o.lr * mu_next / (1 - mu_product_next));
               update_elements(
                   p.numel(),
                   [=](std::int64_t k, auto decays) AG_UPDATE_LOOP {
                     const T g = decayed_moments<decays()>(g0[k], w[k], decay, m[k], v[k], beta1,
                                                           one_minus_beta1, beta2, one_minus_beta2);
                     const T denom = std::sqrt(v[k] / bc2) + eps;
                     w[k] += grad_step * (g / denom);
                     w[k] += avg_step * (m[k] / denom);
                   },
                   o.weight_decay != 0);
             });
}

}  // namespace ag::optim

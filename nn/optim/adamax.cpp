// SPDX-License-Identifier: MIT
// Adamax's checks and update, in the order of PyTorch 1.13's single-tensor
// implementation (torch/optim/adamax.py).
#include "autograd/nn/optim/adamax.hpp"

#include <algorithm>

#include "autograd/nn/optim/checks.hpp"
#include "autograd/nn/optim/update_loop.hpp"

namespace ag::optim {
using namespace detail;

void AdamaxOptions::validate() const { validate_adam_like(*this, "Adamax"); }

void Adamax::step() {
  each_param(groups_, "Adamax",
             [](const AdamaxOptions& o, const Tensor& p, ParamState& s, auto* __restrict w,
                const auto* __restrict g0) {
               using T = std::remove_cvref_t<decltype(*w)>;
               const double t = static_cast<double>(++s.step);
               T* __restrict m = buf<T>(slot(s, "exp_avg", p));
               T* __restrict u = buf<T>(slot(s, "exp_inf", p));
               const T decay = T(o.weight_decay), beta1 = T(o.beta1), beta2 = T(o.beta2),
                       one_minus_beta1 = T(1 - o.beta1), eps = T(o.eps),
                       clr = T(o.lr / (1 - std::pow(o.beta1, t)));
               update_elements(
                   p.numel(),
                   [=](std::int64_t k, auto decays) AG_UPDATE_LOOP {
                     T g = g0[k];
                     if constexpr (decays) g += decay * w[k];
                     m[k] = m[k] * beta1 + g * one_minus_beta1;
                     u[k] = std::max(u[k] * beta2, std::abs(g) + eps);
                     w[k] -= clr * (m[k] / u[k]);
                   },
                   o.weight_decay != 0);
             });
}

}  // namespace ag::optim

// SPDX-License-Identifier: MIT
// RMSprop's checks and update, in the order of PyTorch 1.13's single-tensor
// implementation (torch/optim/rmsprop.py).
#include "autograd/nn/optim/rmsprop.hpp"

#include "autograd/nn/optim/checks.hpp"
#include "autograd/nn/optim/update_loop.hpp"

namespace ag::optim {
using namespace detail;

void RMSpropOptions::validate() const {
  validate_lr(lr, "RMSprop");
  require(non_negative(alpha), "RMSprop", "alpha", alpha, kNonNegative);
  require(non_negative(eps), "RMSprop", "eps", eps, kNonNegative);
  require(non_negative(weight_decay), "RMSprop", "weight_decay", weight_decay, kNonNegative);
  require(non_negative(momentum), "RMSprop", "momentum", momentum, kNonNegative);
}

void RMSprop::step() {
  each_param(groups_, "RMSprop",
             [](const RMSpropOptions& o, const Tensor& p, ParamState& s, auto* __restrict w,
                const auto* __restrict g0) {
               using T = std::remove_cvref_t<decltype(*w)>;
               ++s.step;
               T* __restrict v = buf<T>(slot(s, "square_avg", p));
               T* __restrict gm = o.centered ? buf<T>(slot(s, "grad_avg", p)) : nullptr;
               T* __restrict b = o.momentum > 0 ? buf<T>(slot(s, "momentum_buffer", p)) : nullptr;
               const T lr = T(o.lr), decay = T(o.weight_decay), alpha = T(o.alpha),
                       one_minus_alpha = T(1 - o.alpha), eps = T(o.eps), momentum = T(o.momentum);
               update_elements(
                   p.numel(),
                   [=](std::int64_t k, auto decays, auto centered, auto has_buffer) AG_UPDATE_LOOP {
                     T g = g0[k];
                     if constexpr (decays) g += decay * w[k];
                     v[k] = alpha * v[k] + one_minus_alpha * g * g;
                     T avg;
                     if constexpr (centered) {
                       gm[k] = alpha * gm[k] + one_minus_alpha * g;
                       avg = std::sqrt(v[k] - gm[k] * gm[k]) + eps;
                     } else {
                       avg = std::sqrt(v[k]) + eps;
                     }
                     if constexpr (has_buffer) {
                       b[k] = momentum * b[k] + g / avg;
                       w[k] -= lr * b[k];
                     } else {
                       w[k] -= lr * g / avg;
                     }
                   },
                   o.weight_decay != 0, gm != nullptr, b != nullptr);
             });
}

}  // namespace ag::optim

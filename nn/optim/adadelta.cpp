// SPDX-License-Identifier: MIT
// Adadelta's checks and update, in the order of PyTorch 1.13's
// single-tensor implementation (torch/optim/adadelta.py).
#include "autograd/nn/optim/adadelta.hpp"

#include "autograd/nn/optim/checks.hpp"
#include "autograd/nn/optim/update_loop.hpp"

namespace ag::optim {
using namespace detail;

void AdadeltaOptions::validate() const {
  validate_lr(lr, "Adadelta");
  require(rho >= 0 && rho <= 1, "Adadelta", "rho", rho, "in [0, 1]");
  require(non_negative(eps), "Adadelta", "eps", eps, kNonNegative);
  require(non_negative(weight_decay), "Adadelta", "weight_decay", weight_decay, kNonNegative);
}

void Adadelta::step() {
  each_param(groups_, "Adadelta",
             [](const AdadeltaOptions& o, const Tensor& p, ParamState& s, auto* __restrict w,
                const auto* __restrict g0) {
               using T = std::remove_cvref_t<decltype(*w)>;
               ++s.step;
               T* __restrict v = buf<T>(slot(s, "square_avg", p));
               T* __restrict u = buf<T>(slot(s, "acc_delta", p));
               const T lr = T(o.lr), decay = T(o.weight_decay), rho = T(o.rho),
                       one_minus_rho = T(1 - o.rho), eps = T(o.eps);
               update_elements(
                   p.numel(),
                   [=](std::int64_t k, auto decays) AG_UPDATE_LOOP {
                     T g = g0[k];
                     if constexpr (decays) g += decay * w[k];
                     v[k] = v[k] * rho + g * g * one_minus_rho;
                     const T delta = std::sqrt(u[k] + eps) / std::sqrt(v[k] + eps) * g;
                     u[k] = u[k] * rho + delta * delta * one_minus_rho;
                     w[k] -= lr * delta;
                   },
                   o.weight_decay != 0);
             });
}

}  // namespace ag::optim

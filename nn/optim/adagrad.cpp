// SPDX-License-Identifier: MIT
// Adagrad's checks and update, in the order of PyTorch 1.13's single-tensor
// implementation (torch/optim/adagrad.py).
#include "autograd/nn/optim/adagrad.hpp"

#include "autograd/nn/optim/checks.hpp"
#include "autograd/nn/optim/update_loop.hpp"

namespace ag::optim {
using namespace detail;

void AdagradOptions::validate() const {
  validate_lr(lr, "Adagrad");
  require(non_negative(lr_decay), "Adagrad", "lr_decay", lr_decay, kNonNegative);
  require(non_negative(weight_decay), "Adagrad", "weight_decay", weight_decay, kNonNegative);
  require(non_negative(initial_accumulator_value), "Adagrad", "initial_accumulator_value",
          initial_accumulator_value, kNonNegative);
  require(non_negative(eps), "Adagrad", "eps", eps, kNonNegative);
}

void Adagrad::step() {
  each_param(groups_, "Adagrad",
             [](const AdagradOptions& o, const Tensor& p, ParamState& s, auto* __restrict w,
                const auto* __restrict g0) {
               using T = std::remove_cvref_t<decltype(*w)>;
               const std::int64_t t = ++s.step;
               T* __restrict acc = buf<T>(slot(s, "sum", p, o.initial_accumulator_value));
               const T clr = T(o.lr / (1 + static_cast<double>(t - 1) * o.lr_decay));
               const T decay = T(o.weight_decay), eps = T(o.eps);
               update_elements(
                   p.numel(),
                   [=](std::int64_t k, auto decays) AG_UPDATE_LOOP {
                     T g = g0[k];
                     if constexpr (decays) g += decay * w[k];
                     acc[k] += g * g;
                     w[k] -= clr * g / (std::sqrt(acc[k]) + eps);
                   },
                   o.weight_decay != 0);
             });
}

}  // namespace ag::optim

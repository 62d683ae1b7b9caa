// SPDX-License-Identifier: MIT
// SGD's checks and update, in the order of PyTorch 1.13's single-tensor
// implementation (torch/optim/sgd.py).
#include "autograd/nn/optim/sgd.hpp"

#include "autograd/nn/optim/checks.hpp"
#include "autograd/nn/optim/update_loop.hpp"

namespace ag::optim {
using namespace detail;

void SGDOptions::validate() const {
  validate_lr(lr, "SGD");
  require(non_negative(momentum), "SGD", "momentum", momentum, kNonNegative);
  require(std::isfinite(dampening), "SGD", "dampening", dampening, "finite");
  require(non_negative(weight_decay), "SGD", "weight_decay", weight_decay, kNonNegative);
  if (nesterov && (momentum <= 0 || dampening != 0)) {
    ag::detail::fail<ValueError>("SGD: Nesterov momentum needs momentum > 0 and dampening 0");
  }
}

SGD::SGD(std::vector<Tensor> params, SGDOptions options)
    : Grouped(std::move(params), options, {"momentum_buffer"}) {}

void SGD::step() {
  each_param(groups_, "SGD",
             [](const SGDOptions& o, const Tensor& p, ParamState& s, auto* __restrict w,
                const auto* __restrict g0) {
               using T = std::remove_cvref_t<decltype(*w)>;
               const bool first_step = s.step++ == 0;
               T* __restrict b = o.momentum != 0 ? buf<T>(slot(s, "momentum_buffer", p)) : nullptr;
               const T lr = T(o.lr), decay = T(o.weight_decay), momentum = T(o.momentum),
                       keep = T(1 - o.dampening);
               update_elements(
                   p.numel(),
                   [=](std::int64_t k, auto decays, auto has_buffer, auto is_first, auto nesterov)
                       AG_UPDATE_LOOP {
                         T g = g0[k];
                         if constexpr (decays) g += decay * w[k];
                         if constexpr (has_buffer) {
                           b[k] = is_first ? g : momentum * b[k] + keep * g;
                           g = nesterov ? g + momentum * b[k] : b[k];
                         }
                         w[k] -= lr * g;
                       },
                   o.weight_decay != 0, b != nullptr, first_step, o.nesterov);
             });
}

}  // namespace ag::optim

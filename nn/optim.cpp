// SPDX-License-Identifier: MIT
// Update rules, written as plain loops over each parameter's buffer in its
// own dtype, in the order PyTorch 1.13's single-tensor implementations use.
#include "autograd/nn/optim.hpp"

#include <cmath>
#include <cstdio>
#include <string_view>
#include <type_traits>

#include "autograd/nn/optim_loops.hpp"
#include "autograd/ops.hpp"

namespace ag::optim {
using detail::AdamConstants;
using detail::AdamUpdate;
using detail::buf;
using detail::each_param;
using detail::run_update;
using detail::slot;
using detail::split_update;
using detail::with_flags;

void Optimizer::zero_grad() {
  for (std::size_t g = 0; g < num_groups(); ++g) {
    for (const Tensor& p : params(g)) p.zero_grad();
  }
}

namespace detail {

template <class Options>
StateDict Grouped<Options>::state_dict() const {
  StateDict out;
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    for (std::size_t i = 0; i < groups_[g].state.size(); ++i) {
      const ParamState& s = groups_[g].state[i];
      const std::string prefix = std::to_string(g) + "." + std::to_string(i) + ".";
      out.emplace_back(prefix + "step", scalar_tensor(static_cast<double>(s.step), DType::float64));
      if (s.mu_product != 1.0) {
        out.emplace_back(prefix + "mu_product", scalar_tensor(s.mu_product, DType::float64));
      }
      for (const auto& [name, t] : s.tensors) out.emplace_back(prefix + name, t.detach());
    }
  }
  return out;
}

template <class Options>
void Grouped<Options>::load_state_dict(const StateDict& state) {
  // Validate everything first, so that a bad state changes nothing.
  std::vector<std::vector<ParamState>> loaded(groups_.size());
  for (std::size_t g = 0; g < groups_.size(); ++g) loaded[g].resize(groups_[g].params.size());
  for (const auto& [name, t] : state) {
    std::size_t g = 0, i = 0;
    char key[64] = {};
    if (std::sscanf(name.c_str(), "%zu.%zu.%63s", &g, &i, key) != 3 || g >= groups_.size() ||
        i >= groups_[g].params.size()) {
      ag::detail::fail<ValueError>("load_state_dict: '{}' names no parameter of this optimizer",
                                   name);
    }
    if (std::string(key) == "step") {
      // A count: one whole number in [0, 2^53], or the cast below would be UB.
      const double step = t.numel() == 1 ? t.to_vector()[0] : -1.0;
      if (!(step >= 0.0 && step <= 9007199254740992.0 && step == std::floor(step))) {
        ag::detail::fail<ValueError>("load_state_dict: '{}' is not a step count ({} {})", name,
                                     t.dtype(), t.shape());
      }
      loaded[g][i].step = static_cast<std::int64_t>(step);
      continue;
    }
    if (std::string(key) == "mu_product") {
      const double mu = t.numel() == 1 ? t.to_vector()[0] : -1.0;
      if (!(mu >= 0.0 && mu <= 1.0)) {
        ag::detail::fail<ValueError>("load_state_dict: '{}' is not a product of factors in [0, 1]",
                                     name);
      }
      loaded[g][i].mu_product = mu;
      continue;
    }
    const Tensor& p = groups_[g].params[i];
    if (t.shape() != p.shape() || t.dtype() != p.dtype()) {
      ag::detail::fail<ValueError>("load_state_dict: '{}' is {} {} but the parameter is {} {}",
                                   name, t.dtype(), t.shape(), p.dtype(), p.shape());
    }
    Tensor copy = zeros(t.shape(), t.dtype());
    copy.assign(t);
    loaded[g][i].tensors[key] = copy;
  }
  for (std::size_t g = 0; g < groups_.size(); ++g) groups_[g].state = std::move(loaded[g]);
}

template class Grouped<SGDOptions>;
template class Grouped<RMSpropOptions>;
template class Grouped<AdamOptions>;
template class Grouped<AdagradOptions>;
template class Grouped<AdadeltaOptions>;
template class Grouped<SparseAdamOptions>;
template class Grouped<NAdamOptions>;
template class Grouped<RAdamOptions>;
template class Grouped<AdamaxOptions>;

}  // namespace detail

SGD::SGD(std::vector<Tensor> params, SGDOptions options) : Grouped(std::move(params), options) {}

void SGD::step() {
  each_param(groups_, "SGD",
             [](const SGDOptions& o, const Tensor& p, detail::ParamState& s, auto* __restrict w,
                const auto* __restrict g0) {
               using T = std::remove_cvref_t<decltype(*w)>;
               const bool first_step = s.step++ == 0;
               T* __restrict b = o.momentum != 0 ? buf<T>(slot(s, "momentum_buffer", p)) : nullptr;
               const T lr = T(o.lr), decay = T(o.weight_decay), momentum = T(o.momentum),
                       keep = T(1 - o.dampening);
               const std::int64_t n = p.numel();
               with_flags(
                   [&](auto decays, auto has_buffer, auto is_first, auto nesterov) {
                     split_update(n, [=](std::int64_t first, std::int64_t last) AG_UPDATE_LOOP {
                       for (std::int64_t k = first; k < last; ++k) {
                         T g = g0[k];
                         if constexpr (decays) g += decay * w[k];
                         if constexpr (has_buffer) {
                           b[k] = is_first ? g : momentum * b[k] + keep * g;
                           g = nesterov ? g + momentum * b[k] : b[k];
                         }
                         w[k] -= lr * g;
                       }
                     });
                   },
                   o.weight_decay != 0, b != nullptr, first_step, o.nesterov);
             });
}

void RMSprop::step() {
  each_param(groups_, "RMSprop",
             [](const RMSpropOptions& o, const Tensor& p, detail::ParamState& s, auto* __restrict w,
                const auto* __restrict g0) {
               using T = std::remove_cvref_t<decltype(*w)>;
               ++s.step;
               T* __restrict v = buf<T>(slot(s, "square_avg", p));
               T* __restrict gm = o.centered ? buf<T>(slot(s, "grad_avg", p)) : nullptr;
               T* __restrict b = o.momentum > 0 ? buf<T>(slot(s, "momentum_buffer", p)) : nullptr;
               const T lr = T(o.lr), decay = T(o.weight_decay), alpha = T(o.alpha),
                       one_minus_alpha = T(1 - o.alpha), eps = T(o.eps), momentum = T(o.momentum);
               const std::int64_t n = p.numel();
               with_flags(
                   [&](auto decays, auto centered, auto has_buffer) {
                     split_update(n, [=](std::int64_t first, std::int64_t last) AG_UPDATE_LOOP {
                       for (std::int64_t k = first; k < last; ++k) {
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
                       }
                     });
                   },
                   o.weight_decay != 0, gm != nullptr, b != nullptr);
             });
}

void Adam::step() {
  const bool decoupled = decoupled_;
  each_param(groups_, "Adam",
             [decoupled](const AdamOptions& o, const Tensor& p, detail::ParamState& s, auto* w,
                         const auto* g) {
               using T = std::remove_cvref_t<decltype(*w)>;
               const std::int64_t t = ++s.step;
               T* m = buf<T>(slot(s, "exp_avg", p));
               T* v = buf<T>(slot(s, "exp_avg_sq", p));
               T* vmax = o.amsgrad ? buf<T>(slot(s, "max_exp_avg_sq", p)) : nullptr;
               const double bc1 = 1 - std::pow(o.beta1, static_cast<double>(t));
               const AdamConstants<T> c{
                   .step_size = T(o.lr / bc1),
                   .shrink = T(1 - o.lr * o.weight_decay),
                   .decay = T(o.weight_decay),
                   .beta1 = T(o.beta1),
                   .beta2 = T(o.beta2),
                   .one_minus_beta1 = T(1 - o.beta1),
                   .one_minus_beta2 = T(1 - o.beta2),
                   .eps = T(o.eps),
                   .bc2_sqrt = T(std::sqrt(1 - std::pow(o.beta2, static_cast<double>(t))))};
               with_flags(
                   [&](auto decoupled_decay, auto l2_decay, auto amsgrad) {
                     run_update(AdamUpdate<decoupled_decay, l2_decay, amsgrad>{}, p.numel(), w, g,
                                m, v, vmax, c);
                   },
                   decoupled, !decoupled && o.weight_decay != 0, vmax != nullptr);
             });
}

void Adagrad::step() {
  each_param(groups_, "Adagrad",
             [](const AdagradOptions& o, const Tensor& p, detail::ParamState& s, auto* __restrict w,
                const auto* __restrict g0) {
               using T = std::remove_cvref_t<decltype(*w)>;
               const std::int64_t t = ++s.step;
               T* __restrict acc = buf<T>(slot(s, "sum", p, o.initial_accumulator_value));
               const T clr = T(o.lr / (1 + static_cast<double>(t - 1) * o.lr_decay));
               const T decay = T(o.weight_decay), eps = T(o.eps);
               const std::int64_t n = p.numel();
               with_flags(
                   [&](auto decays) {
                     split_update(n, [=](std::int64_t first, std::int64_t last) AG_UPDATE_LOOP {
                       for (std::int64_t k = first; k < last; ++k) {
                         T g = g0[k];
                         if constexpr (decays) g += decay * w[k];
                         acc[k] += g * g;
                         w[k] -= clr * g / (std::sqrt(acc[k]) + eps);
                       }
                     });
                   },
                   o.weight_decay != 0);
             });
}

void Adadelta::step() {
  each_param(groups_, "Adadelta",
             [](const AdadeltaOptions& o, const Tensor& p, detail::ParamState& s,
                auto* __restrict w, const auto* __restrict g0) {
               using T = std::remove_cvref_t<decltype(*w)>;
               ++s.step;
               T* __restrict v = buf<T>(slot(s, "square_avg", p));
               T* __restrict u = buf<T>(slot(s, "acc_delta", p));
               const T lr = T(o.lr), decay = T(o.weight_decay), rho = T(o.rho),
                       one_minus_rho = T(1 - o.rho), eps = T(o.eps);
               const std::int64_t n = p.numel();
               with_flags(
                   [&](auto decays) {
                     split_update(n, [=](std::int64_t first, std::int64_t last) AG_UPDATE_LOOP {
                       for (std::int64_t k = first; k < last; ++k) {
                         T g = g0[k];
                         if constexpr (decays) g += decay * w[k];
                         v[k] = v[k] * rho + g * g * one_minus_rho;
                         const T delta = std::sqrt(u[k] + eps) / std::sqrt(v[k] + eps) * g;
                         u[k] = u[k] * rho + delta * delta * one_minus_rho;
                         w[k] -= lr * delta;
                       }
                     });
                   },
                   o.weight_decay != 0);
             });
}

void SparseAdam::step() {
  for (auto& group : groups_) detail::validate(group.options);
  for (auto& group : groups_) {
    const SparseAdamOptions& o = group.options;
    for (std::size_t i = 0; i < group.params.size(); ++i) {
      Tensor& p = group.params[i];
      if (p.grad().defined()) {
        ag::detail::fail<ValueError>(
            "SparseAdam: parameter {} has a dense gradient; SparseAdam takes only sparse "
            "gradients (Embedding with sparse=true), use Adam for dense ones",
            i);
      }
      const SparseGrad& sg = p.sparse_grad();
      if (!sg.defined()) continue;
      detail::ParamState& s = group.state[i];
      const std::int64_t t = ++s.step;
      // Coalesce: sum the values of repeated rows before the non-linear update.
      const std::int64_t rows = p.shape()[0], width = p.numel() / std::max<std::int64_t>(rows, 1);
      const Tensor dense = sg.to_dense(rows);
      std::vector<bool> touched(rows, false);
      for (double r : sg.rows.to_vector()) touched[static_cast<std::int64_t>(r)] = true;
      ag::detail::visit_floating(p.dtype(), "SparseAdam", [&](auto zero) {
        using T = decltype(zero);
        T* w = buf<T>(p);
        const T* g = buf<T>(dense);
        T* m = buf<T>(slot(s, "exp_avg", p));
        T* v = buf<T>(slot(s, "exp_avg_sq", p));
        const double bc1 = 1 - std::pow(o.beta1, static_cast<double>(t));
        const double bc2 = 1 - std::pow(o.beta2, static_cast<double>(t));
        const T step_size = T(o.lr * std::sqrt(bc2) / bc1);
        for (std::int64_t r = 0; r < rows; ++r) {
          if (!touched[r]) continue;
          for (std::int64_t k = r * width; k < (r + 1) * width; ++k) {
            m[k] += (g[k] - m[k]) * T(1 - o.beta1);
            v[k] += (g[k] * g[k] - v[k]) * T(1 - o.beta2);
            w[k] -= step_size * m[k] / (std::sqrt(v[k]) + T(o.eps));
          }
        }
      });
      p.mark_modified();
    }
  }
}

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

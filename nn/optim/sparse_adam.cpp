// SPDX-License-Identifier: MIT
// SparseAdam's checks and update, in the order of PyTorch 1.13's
// implementation (torch/optim/sparse_adam.py): only the rows a gradient
// touches.
#include "autograd/nn/optim/sparse_adam.hpp"

#include <algorithm>

#include "autograd/nn/optim/checks.hpp"
#include "autograd/nn/optim/update_loop.hpp"

namespace ag::optim {
using namespace detail;

void SparseAdamOptions::validate() const {
  validate_lr(lr, "SparseAdam");
  require(in_unit(beta1), "SparseAdam", "beta1", beta1, kUnit);
  require(in_unit(beta2), "SparseAdam", "beta2", beta2, kUnit);
  require(non_negative(eps), "SparseAdam", "eps", eps, kNonNegative);
}

void SparseAdam::step() {
  for (auto& group : groups_) group.options.validate();
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
      ParamState& s = group.state[i];
      const std::int64_t t = ++s.step;
      // Coalesce: sum the values of repeated rows before the non-linear update.
      const std::int64_t rows = p.shape()[0], width = p.numel() / std::max<std::int64_t>(rows, 1);
      const Tensor dense = o.maximize ? -sg.to_dense(rows) : sg.to_dense(rows);
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

}  // namespace ag::optim

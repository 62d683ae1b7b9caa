// SPDX-License-Identifier: MIT
// What every optimizer shares: zero_grad, and saving and restoring the
// per-parameter state (names "<group>.<param>.<name>").
#include "autograd/nn/optim/optimizer.hpp"

#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "autograd/error.hpp"
#include "autograd/nn/optim/checks.hpp"
#include "autograd/ops.hpp"

namespace ag::optim {

void Optimizer::zero_grad() {
  for (std::size_t g = 0; g < num_groups(); ++g) {
    for (const Tensor& p : params(g)) p.zero_grad();
  }
}

namespace detail {

void validate_lr(double lr, const char* optimizer) {
  require(non_negative(lr), optimizer, "lr", lr, kNonNegative);
}

void save_state(std::size_t group, const std::vector<ParamState>& state, StateDict& out) {
  for (std::size_t i = 0; i < state.size(); ++i) {
    const ParamState& s = state[i];
    const std::string prefix = std::to_string(group) + "." + std::to_string(i) + ".";
    out.emplace_back(prefix + "step", scalar_tensor(static_cast<double>(s.step), DType::float64));
    if (s.mu_product != 1.0) {
      out.emplace_back(prefix + "mu_product", scalar_tensor(s.mu_product, DType::float64));
    }
    for (const auto& [name, t] : s.tensors) out.emplace_back(prefix + name, t.detach());
  }
}

std::vector<std::vector<ParamState>> read_state(
    const StateDict& state, const std::vector<const std::vector<Tensor>*>& params,
    const std::vector<std::string>& state_names) {
  std::vector<std::vector<ParamState>> loaded(params.size());
  std::vector<std::vector<bool>> counted(params.size());  // has a step: state_dict saves one each
  for (std::size_t g = 0; g < params.size(); ++g) {
    loaded[g].resize(params[g]->size());
    counted[g].resize(params[g]->size());
  }
  for (const auto& [name, t] : state) {
    std::size_t g = 0, i = 0;
    char key[64] = {};
    if (std::sscanf(name.c_str(), "%zu.%zu.%63s", &g, &i, key) != 3 || g >= params.size() ||
        i >= params[g]->size()) {
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
      counted[g][i] = true;
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
    if (std::find(state_names.begin(), state_names.end(), key) == state_names.end()) {
      // Another optimizer's state (Adagrad's "sum" offered to Adam).
      ag::detail::fail<ValueError>(
          "load_state_dict: '{}' is not state of this optimizer, which keeps {} per parameter",
          name,
          state_names.empty() ? std::string("only a step count")
                              : fmt::format("{}", fmt::join(state_names, ", ")));
    }
    const Tensor& p = (*params[g])[i];
    if (t.shape() != p.shape() || t.dtype() != p.dtype()) {
      ag::detail::fail<ValueError>("load_state_dict: '{}' is {} {} but the parameter is {} {}",
                                   name, t.dtype(), t.shape(), p.dtype(), p.shape());
    }
    Tensor copy = zeros(t.shape(), t.dtype());
    copy.assign(t);
    loaded[g][i].tensors[key] = copy;
  }
  for (std::size_t g = 0; g < params.size(); ++g) {
    for (std::size_t i = 0; i < params[g]->size(); ++i) {
      if (!counted[g][i]) {  // a state saved for fewer parameters
        ag::detail::fail<ValueError>(
            "load_state_dict: no state for parameter {}.{} (this optimizer has {} in group {}): "
            "the state is of another parameter list",
            g, i, params[g]->size(), g);
      }
    }
  }
  return loaded;
}

}  // namespace detail
}  // namespace ag::optim

// SPDX-License-Identifier: MIT
// The optimizer interface schedulers and training loops use, and what every
// optimizer of this folder shares: parameter groups with their own
// hyper-parameters, and per-parameter state that can be saved and restored.
// Each optimizer lives in its own file beside this one (sgd.hpp, adam.hpp,
// ...), its options, their checks and its update rule together.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "autograd/nn/state_dict.hpp"
#include "autograd/tensor.hpp"

namespace ag::optim {

/// Named tensors: an optimizer's saved state (the same type as a module's).
using nn::StateDict;

/// The interface schedulers and training loops use.
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  /// Updates every parameter from its gradient (parameters without one are
  /// skipped), and bumps each updated parameter's version(): a graph recorded
  /// before the step that needs the old values refuses to backward.
  virtual void step() = 0;
  /// Clears every parameter's gradient.
  void zero_grad();
  /// The number of parameter groups.
  virtual std::size_t num_groups() const = 0;
  /// A group's learning rate.
  virtual double lr(std::size_t group = 0) const = 0;
  /// Sets a group's learning rate (ValueError unless finite and >= 0).
  virtual void set_lr(std::size_t group, double lr) = 0;
  /// Sets every group's learning rate.
  void set_lr(double lr) {
    for (std::size_t g = 0; g < num_groups(); ++g) set_lr(g, lr);
  }
  /// A group's parameters.
  virtual const std::vector<Tensor>& params(std::size_t group) const = 0;
  /// Per-parameter state as named tensors ("0.3.exp_avg": group 0, param 3).
  virtual StateDict state_dict() const = 0;
  /// Restores state_dict() output; throws ValueError (changing nothing) if
  /// names or shapes do not match this optimizer's parameters.
  virtual void load_state_dict(const StateDict& state) = 0;
};

namespace detail {

/// ValueError naming the setting unless `lr` is finite and >= 0.
void validate_lr(double lr, const char* optimizer);

/// Per-parameter state: named tensors (moments), a step count, and NAdam's
/// running product of momentum factors (saved as "mu_product", a number).
struct ParamState {
  std::map<std::string, Tensor> tensors;
  std::int64_t step = 0;
  double mu_product = 1.0;
};

/// Appends group `group`'s state to `out` ("<group>.<param>.<name>").
void save_state(std::size_t group, const std::vector<ParamState>& state, StateDict& out);
/// The per-group state `state` holds for parameter groups `params`, every
/// entry checked first (ValueError naming it): nothing is changed on error.
std::vector<std::vector<ParamState>> read_state(
    const StateDict& state, const std::vector<const std::vector<Tensor>*>& params,
    const std::vector<std::string>& state_names);

/// Groups of parameters sharing one Options, which has at least `lr` and a
/// `validate()` that throws ValueError for a setting out of range (run at
/// construction, by add_param_group and by every step(): options() hands
/// out a mutable reference).
template <class Options>
class Grouped : public Optimizer {
 public:
  struct Group {
    std::vector<Tensor> params;
    Options options;
    std::vector<ParamState> state;
  };
  /// `state_names`: the per-parameter state this optimizer keeps (besides
  /// the step count), which load_state_dict accepts and nothing else.
  Grouped(std::vector<Tensor> params, Options options,
          std::initializer_list<const char*> state_names)
      : state_names_(state_names.begin(), state_names.end()) {
    add_param_group(std::move(params), options);
  }
  /// Adds parameters with their own hyper-parameters.
  void add_param_group(std::vector<Tensor> params, Options options) {
    options.validate();
    groups_.push_back({std::move(params), options, {}});
    groups_.back().state.resize(groups_.back().params.size());
  }
  Options& options(std::size_t group = 0) { return groups_.at(group).options; }
  std::size_t num_groups() const override { return groups_.size(); }
  double lr(std::size_t group = 0) const override { return groups_.at(group).options.lr; }
  using Optimizer::set_lr;
  void set_lr(std::size_t group, double lr) override {
    validate_lr(lr, "set_lr");
    groups_.at(group).options.lr = lr;
  }
  const std::vector<Tensor>& params(std::size_t group) const override {
    return groups_.at(group).params;
  }
  StateDict state_dict() const override {
    StateDict out;
    for (std::size_t g = 0; g < groups_.size(); ++g) save_state(g, groups_[g].state, out);
    return out;
  }
  void load_state_dict(const StateDict& state) override {
    std::vector<const std::vector<Tensor>*> params;
    for (const Group& group : groups_) params.push_back(&group.params);
    std::vector<std::vector<ParamState>> loaded = read_state(state, params, state_names_);
    for (std::size_t g = 0; g < groups_.size(); ++g) groups_[g].state = std::move(loaded[g]);
  }

 protected:
  std::vector<Group> groups_;
  std::vector<std::string> state_names_;
};

}  // namespace detail
}  // namespace ag::optim

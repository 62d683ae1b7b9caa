// SPDX-License-Identifier: MIT
// Optimizers with PyTorch 1.13's update rules and defaults (SGD, RMSprop,
// Adam, AdamW, Adagrad, Adadelta, SparseAdam, NAdam, RAdam, Adamax; all
// dense ones take `maximize`), parameter groups
// with their own hyper-parameters, state that can be saved and restored,
// and gradient clipping.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "autograd/tensor.hpp"

namespace ag::optim {

/// Named tensors: an optimizer's (or a module's) saved state.
using StateDict = std::vector<std::pair<std::string, Tensor>>;

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

struct SGDOptions;
struct RMSpropOptions;
struct AdamOptions;
struct AdagradOptions;
struct AdadeltaOptions;
struct SparseAdamOptions;
struct NAdamOptions;
struct RAdamOptions;
struct AdamaxOptions;

namespace detail {

/// ValueError naming the optimizer and the setting unless every setting is
/// in range (PyTorch's checks, and no NaN or infinity anywhere): lr and eps
/// >= 0, betas in [0, 1), and so on. Run at construction, by set_lr, and by
/// every step() (options() hands out a mutable reference).
void validate(const SGDOptions& o);
void validate(const RMSpropOptions& o);
void validate(const AdamOptions& o);
void validate(const AdagradOptions& o);
void validate(const AdadeltaOptions& o);
void validate(const SparseAdamOptions& o);
void validate(const NAdamOptions& o);
void validate(const RAdamOptions& o);
void validate(const AdamaxOptions& o);
/// The same for a learning rate alone.
void validate_lr(double lr, const char* optimizer);

/// Per-parameter state: named tensors (moments), a step count, and NAdam's
/// running product of momentum factors (saved as "mu_product", a number).
struct ParamState {
  std::map<std::string, Tensor> tensors;
  std::int64_t step = 0;
  double mu_product = 1.0;
};

/// Groups of parameters sharing one Options (which has at least `lr`).
template <class Options>
class Grouped : public Optimizer {
 public:
  struct Group {
    std::vector<Tensor> params;
    Options options;
    std::vector<ParamState> state;
  };
  Grouped(std::vector<Tensor> params, Options options) {
    add_param_group(std::move(params), options);
  }
  /// Adds parameters with their own hyper-parameters.
  void add_param_group(std::vector<Tensor> params, Options options) {
    validate(options);
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
  StateDict state_dict() const override;
  void load_state_dict(const StateDict& state) override;

 protected:
  std::vector<Group> groups_;
};

}  // namespace detail

/// SGD's settings, with PyTorch's defaults.
struct SGDOptions {
  double lr = 0.01;           ///< learning rate
  double momentum = 0.0;      ///< momentum factor (0: none)
  double dampening = 0.0;     ///< dampening of the momentum
  double weight_decay = 0.0;  ///< L2 penalty added to the gradient
  bool nesterov = false;      ///< Nesterov momentum
  bool maximize = false;      ///< ascend: the rule runs on -g (as PyTorch)
};
/// g += wd·p; buf = m·buf + (1-dampening)·g (buf = g on the first step);
/// g = nesterov ? g + m·buf : buf; p -= lr·g.
class SGD : public detail::Grouped<SGDOptions> {
 public:
  /// Optimizes `params` (one group) with `options`.
  SGD(std::vector<Tensor> params, SGDOptions options);
  void step() override;
};

/// RMSprop's settings, with PyTorch's defaults.
struct RMSpropOptions {
  double lr = 0.01;           ///< learning rate
  double alpha = 0.99;        ///< smoothing constant of the squared-gradient average
  double eps = 1e-8;          ///< added to the denominator for stability
  double weight_decay = 0.0;  ///< L2 penalty added to the gradient
  double momentum = 0.0;      ///< momentum factor (0: none)
  bool centered = false;      ///< normalise by the centered variance
  bool maximize = false;      ///< ascend: the rule runs on -g (as PyTorch)
};
/// v = α v + (1-α) g²; denominator √(v - ḡ²) (centered) or √v, plus eps;
/// with momentum buf = m·buf + g/denominator, p -= lr·buf; else p -= lr·g/denominator.
class RMSprop : public detail::Grouped<RMSpropOptions> {
 public:
  /// Optimizes `params` (one group) with `options`.
  explicit RMSprop(std::vector<Tensor> params, RMSpropOptions options = {})
      : Grouped(std::move(params), options) {}
  void step() override;
};

/// Adam's settings, with PyTorch's defaults.
struct AdamOptions {
  double lr = 1e-3;           ///< learning rate
  double beta1 = 0.9;         ///< decay of the first moment
  double beta2 = 0.999;       ///< decay of the second moment
  double eps = 1e-8;          ///< added to the denominator for stability
  double weight_decay = 0.0;  ///< L2 penalty added to the gradient
  bool amsgrad = false;       ///< keep the maximum of the second moments (AMSGrad)
  bool maximize = false;      ///< ascend: the rule runs on -g (as PyTorch)
};
/// m = β1 m + (1-β1) g; v = β2 v + (1-β2) g²;
/// p -= lr/(1-β1^t) · m / (√v/√(1-β2^t) + eps). Adam's weight decay is L2
/// (added to g); AdamW's is decoupled (p *= 1 - lr·wd first).
class Adam : public detail::Grouped<AdamOptions> {
 public:
  /// Optimizes `params` (one group) with `options`.
  explicit Adam(std::vector<Tensor> params, AdamOptions options = {})
      : Grouped(std::move(params), options) {}
  void step() override;

 protected:
  bool decoupled_ = false;  ///< AdamW: weight decay applied to the weights, not the gradient
};
/// Adam with decoupled weight decay (Loshchilov & Hutter): see Adam.
class AdamW : public Adam {
 public:
  /// AdamW's default weight_decay is 0.01.
  explicit AdamW(std::vector<Tensor> params, AdamOptions options = {.weight_decay = 1e-2})
      : Adam(std::move(params), options) {
    decoupled_ = true;
  }
};

/// Adagrad's settings, with PyTorch's defaults.
struct AdagradOptions {
  double lr = 1e-2;                        ///< learning rate
  double lr_decay = 0.0;                   ///< learning-rate decay per step
  double weight_decay = 0.0;               ///< L2 penalty added to the gradient
  double initial_accumulator_value = 0.0;  ///< starting value of the squared-gradient sum
  double eps = 1e-10;                      ///< added to the denominator for stability
  bool maximize = false;                   ///< ascend: the rule runs on -g (as PyTorch)
};
/// sum += g²; p -= lr/(1 + (t-1)·lr_decay) · g/(√sum + eps).
class Adagrad : public detail::Grouped<AdagradOptions> {
 public:
  /// Optimizes `params` (one group) with `options`.
  explicit Adagrad(std::vector<Tensor> params, AdagradOptions options = {})
      : Grouped(std::move(params), options) {}
  void step() override;
};

/// Adadelta's settings, with PyTorch's defaults.
struct AdadeltaOptions {
  double lr = 1.0;            ///< learning rate
  double rho = 0.9;           ///< decay of the running averages
  double eps = 1e-6;          ///< added to the denominator for stability
  double weight_decay = 0.0;  ///< L2 penalty added to the gradient
  bool maximize = false;      ///< ascend: the rule runs on -g (as PyTorch)
};
/// v = ρ v + (1-ρ) g²; δ = √(u + eps)/√(v + eps) · g; u = ρ u + (1-ρ) δ²; p -= lr·δ.
class Adadelta : public detail::Grouped<AdadeltaOptions> {
 public:
  /// Optimizes `params` (one group) with `options`.
  explicit Adadelta(std::vector<Tensor> params, AdadeltaOptions options = {})
      : Grouped(std::move(params), options) {}
  void step() override;
};

/// SparseAdam's settings, with PyTorch's defaults.
struct SparseAdamOptions {
  double lr = 1e-3;      ///< learning rate
  double beta1 = 0.9;    ///< decay of the first moment
  double beta2 = 0.999;  ///< decay of the second moment
  double eps = 1e-8;     ///< added to the denominator for stability
};
/// Lazy Adam for row-sparse gradients (Embedding with sparse=true): only the
/// rows a step's gradient touches update their moments and move, with
/// p_r -= lr·√(1-β2^t)/(1-β1^t) · m_r/(√v_r + eps); t counts every step.
/// Duplicate rows are summed first. Throws ValueError on a dense gradient.
class SparseAdam : public detail::Grouped<SparseAdamOptions> {
 public:
  /// Optimizes `params` (one group) with `options`.
  explicit SparseAdam(std::vector<Tensor> params, SparseAdamOptions options = {})
      : Grouped(std::move(params), options) {}
  void step() override;
};

/// NAdam's settings, with PyTorch's defaults.
struct NAdamOptions {
  double lr = 2e-3;              ///< learning rate
  double beta1 = 0.9;            ///< decay of the first moment
  double beta2 = 0.999;          ///< decay of the second moment
  double eps = 1e-8;             ///< added to the denominator for stability
  double weight_decay = 0.0;     ///< L2 penalty added to the gradient
  double momentum_decay = 4e-3;  ///< ψ, how fast the momentum schedule approaches β1
  bool maximize = false;         ///< ascend: the rule runs on -g
};
/// Adam with Nesterov momentum (Dozat 2016), as PyTorch's NAdam from 2.0 on
/// (1.13 multiplies μ_t into the second product twice, a bug fixed upstream):
/// μ_t = β1 (1 - ½·0.96^(t·ψ)) with ψ = momentum_decay; m and v as Adam;
/// p -= lr (1-μ_t)/(1-Π μ) · g/d + lr μ_{t+1}/(1-Π μ·μ_{t+1}) · m/d,
/// d = √(v/(1-β2^t)) + eps. Weight decay is L2.
class NAdam : public detail::Grouped<NAdamOptions> {
 public:
  /// Optimizes `params` (one group) with `options`.
  explicit NAdam(std::vector<Tensor> params, NAdamOptions options = {})
      : Grouped(std::move(params), options) {}
  void step() override;
};

/// RAdam's settings, with PyTorch's defaults.
struct RAdamOptions {
  double lr = 1e-3;           ///< learning rate
  double beta1 = 0.9;         ///< decay of the first moment
  double beta2 = 0.999;       ///< decay of the second moment
  double eps = 1e-8;          ///< added to the denominator for stability
  double weight_decay = 0.0;  ///< L2 penalty added to the gradient
  bool maximize = false;      ///< ascend: the rule runs on -g
};
/// Rectified Adam (Liu et al. 2019), as PyTorch 1.13's RAdam: while the
/// variance estimate's length ρ_t ≤ 5, SGD with momentum on the
/// bias-corrected m; after, Adam's step times the rectification r_t.
class RAdam : public detail::Grouped<RAdamOptions> {
 public:
  /// Optimizes `params` (one group) with `options`.
  explicit RAdam(std::vector<Tensor> params, RAdamOptions options = {})
      : Grouped(std::move(params), options) {}
  void step() override;
};

/// Adamax's settings, with PyTorch's defaults.
struct AdamaxOptions {
  double lr = 2e-3;           ///< learning rate
  double beta1 = 0.9;         ///< decay of the first moment
  double beta2 = 0.999;       ///< decay of the second moment
  double eps = 1e-8;          ///< added to the denominator for stability
  double weight_decay = 0.0;  ///< L2 penalty added to the gradient
  bool maximize = false;      ///< ascend: the rule runs on -g (as PyTorch)
};
/// Adam with the infinity norm: m = β1 m + (1-β1) g; u = max(β2 u, |g| + eps);
/// p -= lr/(1-β1^t) · m/u.
class Adamax : public detail::Grouped<AdamaxOptions> {
 public:
  /// Optimizes `params` (one group) with `options`.
  explicit Adamax(std::vector<Tensor> params, AdamaxOptions options = {})
      : Grouped(std::move(params), options) {}
  void step() override;
};

/// Scales all gradients so that their global L2 norm (of order `norm_type`)
/// is at most max_norm; returns the norm before clipping.
double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0);
/// Clamps every gradient element to [-clip, clip].
void clip_grad_value_(const std::vector<Tensor>& params, double clip);

}  // namespace ag::optim

// SPDX-License-Identifier: MIT
// Learning-rate schedules (torch.optim.lr_scheduler, chainable form): call
// step() once per epoch after the optimizer's steps. The lecture's advice —
// decrease the learning rate as epochs increase — in six shapes.
#pragma once

#include <functional>
#include <limits>
#include <memory>
#include <vector>

#include "autograd/nn/optim/optimizer.hpp"

namespace ag::optim {

/// Base: remembers the base learning rates, counts epochs, applies get_lr().
class Scheduler {
 public:
  /// Drives `optimizer`, taking its current rates as the base rates.
  explicit Scheduler(Optimizer& optimizer);
  virtual ~Scheduler() = default;
  /// Advances one epoch and sets the optimizer's learning rates.
  void step() { advance(); }
  /// Epochs stepped so far (0 after construction).
  std::int64_t last_epoch() const { return last_epoch_; }
  /// The optimizer's current rate for `group`.
  double lr(std::size_t group = 0) const { return optimizer_.lr(group); }

  /// The schedule's position: "last_epoch", "base_lrs" and the optimizer's
  /// current "lrs" (float64), plus what a subclass keeps; save_checkpoint
  /// stores it beside the optimizer's state.
  virtual StateDict state_dict() const;
  /// Restores state_dict() output, the optimizer's learning rates with it;
  /// ValueError (changing nothing) if an entry is missing or malformed.
  virtual void load_state_dict(const StateDict& state);

 protected:
  /// The learning rate of `group` for epoch last_epoch(), from its current one.
  virtual double next_lr(std::size_t group, double current) const = 0;
  /// One epoch on: by default next_lr for every group.
  virtual void advance();
  /// Sets epoch 0's rates; subclasses call it at the end of their constructor.
  void initial_step() {
    last_epoch_ = -1;
    step();
  }
  Optimizer& optimizer_;          ///< the optimizer whose rates it sets
  std::vector<double> base_lrs_;  ///< each group's rate at the start

 private:
  friend class SequentialLR;
  std::int64_t last_epoch_ = -1;
};

/// lr × gamma every step_size epochs.
class StepLR : public Scheduler {
 public:
  /// Drives `optimizer` with the settings described above; ValueError for a
  /// setting out of range. Epoch 0\'s rate is set at once.
  StepLR(Optimizer& optimizer, std::int64_t step_size, double gamma = 0.1);

 protected:
  double next_lr(std::size_t group, double current) const override;

 private:
  std::int64_t step_size_;
  double gamma_;
};

/// lr × gamma at each milestone epoch.
class MultiStepLR : public Scheduler {
 public:
  /// Drives `optimizer` with the settings described above; ValueError for a
  /// setting out of range. Epoch 0\'s rate is set at once.
  MultiStepLR(Optimizer& optimizer, std::vector<std::int64_t> milestones, double gamma = 0.1);

 protected:
  double next_lr(std::size_t group, double current) const override;

 private:
  std::vector<std::int64_t> milestones_;
  double gamma_;
};

/// lr × gamma every epoch.
class ExponentialLR : public Scheduler {
 public:
  /// Drives `optimizer` with the settings described above; ValueError for a
  /// setting out of range. Epoch 0\'s rate is set at once.
  ExponentialLR(Optimizer& optimizer, double gamma);

 protected:
  double next_lr(std::size_t group, double current) const override;

 private:
  double gamma_;
};

/// Cosine from the base lr down to eta_min over t_max epochs, then back up
/// (periodic, as PyTorch's recursive form).
class CosineAnnealingLR : public Scheduler {
 public:
  /// Drives `optimizer` with the settings described above; ValueError for a
  /// setting out of range. Epoch 0\'s rate is set at once.
  CosineAnnealingLR(Optimizer& optimizer, std::int64_t t_max, double eta_min = 0.0);

 protected:
  double next_lr(std::size_t group, double current) const override;

 private:
  std::int64_t t_max_;
  double eta_min_;
};

/// Linear warm-up: the factor goes from start_factor to end_factor over
/// total_iters epochs (already applied at construction).
class LinearLR : public Scheduler {
 public:
  /// Drives `optimizer` with the settings described above; ValueError for a
  /// setting out of range. Epoch 0\'s rate is set at once.
  LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3.0, double end_factor = 1.0,
           std::int64_t total_iters = 5);

 protected:
  double next_lr(std::size_t group, double current) const override;

 private:
  double start_, end_;
  std::int64_t total_;
};

/// lr = base lr × lambda(epoch) (torch's LambdaLR); the function is not
/// saved by state_dict: pass the same one when restoring.
class LambdaLR : public Scheduler {
 public:
  /// Drives `optimizer` with the settings described above; ValueError for a
  /// setting out of range. Epoch 0\'s rate is set at once.
  LambdaLR(Optimizer& optimizer, std::function<double(std::int64_t epoch)> lambda);

 protected:
  double next_lr(std::size_t group, double current) const override;

 private:
  std::function<double(std::int64_t)> lambda_;
};

/// The 1cycle policy (Smith & Topin 2018), stepped once per batch: from
/// max_lr/div_factor up to max_lr over pct_start of total_steps, then down
/// to that over final_div_factor (cosine or linear); three_phase comes back
/// to the start before the final descent. It sets the optimizer's lr itself.
/// Momentum is not cycled (PyTorch's cycle_momentum=False). ValueError when
/// stepped past total_steps.
struct OneCycleOptions {
  /// The shape of each phase: half a cosine, or a straight line.
  enum class Anneal { cos, linear };
  double pct_start = 0.3;         ///< the share of steps spent going up
  Anneal anneal = Anneal::cos;    ///< how each phase moves
  double div_factor = 25.0;       ///< the start is max_lr / div_factor
  double final_div_factor = 1e4;  ///< the end is the start / final_div_factor
  bool three_phase = false;       ///< come back to the start before the final descent
};
/// The 1cycle schedule (see OneCycleOptions).
class OneCycleLR : public Scheduler {
 public:
  /// Drives `optimizer` with the settings described above; ValueError for a
  /// setting out of range. Epoch 0\'s rate is set at once.
  OneCycleLR(Optimizer& optimizer, double max_lr, std::int64_t total_steps,
             OneCycleOptions options = {});

 protected:
  double next_lr(std::size_t group, double current) const override;

 private:
  struct Phase {
    double end_step, start_lr, end_lr;
  };
  std::vector<Phase> phases_;
  std::int64_t total_steps_;
  OneCycleOptions o_;
};

/// Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter 2017):
/// lr = eta_min + (base - eta_min)(1 + cos(π T_cur/T_i))/2, restarting when
/// T_cur reaches T_i; the first period is t_0 epochs, each next t_mult times
/// longer.
class CosineAnnealingWarmRestarts : public Scheduler {
 public:
  /// Drives `optimizer` with the settings described above; ValueError for a
  /// setting out of range. Epoch 0\'s rate is set at once.
  CosineAnnealingWarmRestarts(Optimizer& optimizer, std::int64_t t_0, std::int64_t t_mult = 1,
                              double eta_min = 0.0);
  StateDict state_dict() const override;
  void load_state_dict(const StateDict& state) override;

 protected:
  double next_lr(std::size_t group, double current) const override;
  void advance() override;

 private:
  std::int64_t t_mult_;
  double eta_min_;
  std::int64_t t_cur_ = -1, t_i_;  // epochs into the current period, its length
};

/// Runs schedulers one after another, switching at each milestone epoch,
/// where the next starts again from the base rates (torch's SequentialLR).
/// The schedulers must drive the same optimizer.
class SequentialLR : public Scheduler {
 public:
  /// Drives `optimizer` with the settings described above; ValueError for a
  /// setting out of range. Epoch 0\'s rate is set at once.
  SequentialLR(Optimizer& optimizer, std::vector<std::shared_ptr<Scheduler>> schedulers,
               std::vector<std::int64_t> milestones);
  StateDict state_dict() const override;
  void load_state_dict(const StateDict& state) override;

 protected:
  double next_lr(std::size_t group, double current) const override;
  void advance() override;

 private:
  std::vector<std::shared_ptr<Scheduler>> schedulers_;
  std::vector<std::int64_t> milestones_;
};

/// Multiplies the lr by `factor` when a metric has not improved (by more
/// than `threshold`, relative) for `patience` epochs; then waits `cooldown`.
struct PlateauOptions {
  /// Whether lower or higher metrics are better.
  enum class Mode { min, max };
  Mode mode = Mode::min;       ///< min: a loss; max: an accuracy
  double factor = 0.1;         ///< the rate is multiplied by it
  std::int64_t patience = 10;  ///< epochs without progress tolerated
  double threshold = 1e-4;     ///< relative change that counts as progress
  std::int64_t cooldown = 0;   ///< epochs to wait after a cut
  double min_lr = 0.0;         ///< never below this
  double eps = 1e-8;           ///< changes smaller than this are skipped
};
/// Cuts the rate when a metric stops improving (see PlateauOptions).
class ReduceLROnPlateau {
 public:
  using Options = PlateauOptions;     ///< its settings
  using Mode = PlateauOptions::Mode;  ///< min or max
  /// Drives `optimizer`; ValueError for a setting out of range.
  explicit ReduceLROnPlateau(Optimizer& optimizer, Options options = {});
  /// Reports this epoch's metric (validation loss or accuracy).
  void step(double metric);

 private:
  Optimizer& optimizer_;
  Options o_;
  double best_;
  std::int64_t bad_epochs_ = 0, cooldown_left_ = 0;
};

}  // namespace ag::optim

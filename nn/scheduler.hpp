// SPDX-License-Identifier: MIT
// Learning-rate schedules (torch.optim.lr_scheduler, chainable form): call
// step() once per epoch after the optimizer's steps. The lecture's advice —
// decrease the learning rate as epochs increase — in six shapes.
#pragma once

#include <limits>
#include <vector>

#include "autograd/nn/optim.hpp"

namespace ag::optim {

/// Base: remembers the base learning rates, counts epochs, applies get_lr().
class Scheduler {
 public:
  explicit Scheduler(Optimizer& optimizer);
  virtual ~Scheduler() = default;
  /// Advances one epoch and sets the optimizer's learning rates.
  void step();
  std::int64_t last_epoch() const { return last_epoch_; }
  double lr(std::size_t group = 0) const { return optimizer_.lr(group); }

 protected:
  /// The learning rate of `group` for epoch last_epoch(), from its current one.
  virtual double next_lr(std::size_t group, double current) const = 0;
  /// Sets epoch 0's rates; subclasses call it at the end of their constructor.
  void initial_step() {
    last_epoch_ = -1;
    step();
  }
  Optimizer& optimizer_;
  std::vector<double> base_lrs_;

 private:
  std::int64_t last_epoch_ = -1;
};

/// lr × gamma every step_size epochs.
class StepLR : public Scheduler {
 public:
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
  LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3.0, double end_factor = 1.0,
           std::int64_t total_iters = 5);

 protected:
  double next_lr(std::size_t group, double current) const override;

 private:
  double start_, end_;
  std::int64_t total_;
};

/// Multiplies the lr by `factor` when a metric has not improved (by more
/// than `threshold`, relative) for `patience` epochs; then waits `cooldown`.
struct PlateauOptions {
  enum class Mode { min, max };
  Mode mode = Mode::min;  ///< min: a loss; max: an accuracy
  double factor = 0.1;
  std::int64_t patience = 10;
  double threshold = 1e-4;
  std::int64_t cooldown = 0;
  double min_lr = 0.0;
  double eps = 1e-8;
};
class ReduceLROnPlateau {
 public:
  using Options = PlateauOptions;
  using Mode = PlateauOptions::Mode;
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

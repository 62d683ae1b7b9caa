// SPDX-License-Identifier: MIT
#include "autograd/nn/optim/scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>

#include "autograd/error.hpp"

namespace ag::optim {

Scheduler::Scheduler(Optimizer& optimizer) : optimizer_(optimizer) {
  for (std::size_t g = 0; g < optimizer.num_groups(); ++g) base_lrs_.push_back(optimizer.lr(g));
}

void Scheduler::advance() {
  ++last_epoch_;
  for (std::size_t g = 0; g < optimizer_.num_groups(); ++g) {
    optimizer_.set_lr(g, next_lr(g, optimizer_.lr(g)));
  }
}

StateDict Scheduler::state_dict() const {
  std::vector<double> lrs;
  for (std::size_t g = 0; g < optimizer_.num_groups(); ++g) lrs.push_back(optimizer_.lr(g));
  const auto n = static_cast<std::int64_t>(lrs.size());
  return {{"last_epoch", scalar_tensor(static_cast<double>(last_epoch_), DType::float64)},
          {"base_lrs", Tensor::from(base_lrs_, {n})},
          {"lrs", Tensor::from(lrs, {n})}};
}

namespace {
// The entry `name` of a scheduler state: float64 of `shape`.
std::vector<double> entry(const StateDict& state, const std::string& name, const Shape& shape) {
  for (const auto& [key, t] : state) {
    if (key != name) continue;
    if (t.shape() != shape || t.dtype() != DType::float64) {
      ag::detail::fail<ValueError>("scheduler load_state_dict: '{}' is {} {}, expected float64 {}",
                                   name, t.dtype(), t.shape(), shape);
    }
    return t.to_vector();
  }
  ag::detail::fail<ValueError>("scheduler load_state_dict: no entry '{}'", name);
}
std::int64_t whole(double v, const char* name) {
  if (!(v >= -1 && v <= 9007199254740992.0 && v == std::floor(v))) {
    ag::detail::fail<ValueError>("scheduler load_state_dict: '{}' = {} is not a count", name, v);
  }
  return static_cast<std::int64_t>(v);
}
}  // namespace

void Scheduler::load_state_dict(const StateDict& state) {
  const auto n = static_cast<std::int64_t>(optimizer_.num_groups());
  const std::int64_t epoch = whole(entry(state, "last_epoch", {})[0], "last_epoch");
  const std::vector<double> base = entry(state, "base_lrs", {n}), lrs = entry(state, "lrs", {n});
  for (double lr : lrs) detail::validate_lr(lr, "scheduler load_state_dict");
  last_epoch_ = epoch;
  base_lrs_ = base;
  for (std::size_t g = 0; g < lrs.size(); ++g) optimizer_.set_lr(g, lrs[g]);
}

namespace {
// A factor the rate is multiplied by: a NaN or infinity would only show up
// as an invalid lr epochs later.
void check_gamma(const char* scheduler, double gamma) {
  if (!(std::isfinite(gamma) && gamma >= 0)) {
    ag::detail::fail<ValueError>("{}: gamma = {} is not a finite number >= 0", scheduler, gamma);
  }
}
}  // namespace

StepLR::StepLR(Optimizer& optimizer, std::int64_t step_size, double gamma)
    : Scheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  if (step_size <= 0) ag::detail::fail<ValueError>("StepLR: step_size must be positive");
  check_gamma("StepLR", gamma);
  initial_step();
}

double StepLR::next_lr(std::size_t, double current) const {
  return last_epoch() == 0 || last_epoch() % step_size_ != 0 ? current : current * gamma_;
}

MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<std::int64_t> milestones, double gamma)
    : Scheduler(optimizer), milestones_(std::move(milestones)), gamma_(gamma) {
  check_gamma("MultiStepLR", gamma);
  initial_step();
}

double MultiStepLR::next_lr(std::size_t, double current) const {
  const auto hits = std::count(milestones_.begin(), milestones_.end(), last_epoch());
  return hits ? current * std::pow(gamma_, static_cast<double>(hits)) : current;
}

ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma)
    : Scheduler(optimizer), gamma_(gamma) {
  check_gamma("ExponentialLR", gamma);
  initial_step();
}

double ExponentialLR::next_lr(std::size_t, double current) const {
  return last_epoch() == 0 ? current : current * gamma_;
}

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, std::int64_t t_max, double eta_min)
    : Scheduler(optimizer), t_max_(t_max), eta_min_(eta_min) {
  if (t_max <= 0) ag::detail::fail<ValueError>("CosineAnnealingLR: t_max must be positive");
  if (!std::isfinite(eta_min) || eta_min < 0) {
    ag::detail::fail<ValueError>("CosineAnnealingLR: eta_min = {} is not a finite number >= 0",
                                 eta_min);
  }
  initial_step();
}

double CosineAnnealingLR::next_lr(std::size_t group, double current) const {
  using std::numbers::pi;
  const auto e = static_cast<double>(last_epoch()), t = static_cast<double>(t_max_);
  if (last_epoch() == 0) return current;
  // A restart when (e - 1 - T) is a multiple of 2T, i.e. (e - 1) mod 2T == T;
  // written so that a huge T cannot overflow 2T (then e - 1 < 2T).
  const std::int64_t since = last_epoch() - 1;
  const bool restart = t_max_ > std::numeric_limits<std::int64_t>::max() / 2
                           ? since == t_max_
                           : since % (2 * t_max_) == t_max_;
  if (restart) {
    return current + (base_lrs_[group] - eta_min_) * (1 - std::cos(pi / t)) / 2;
  }
  return (1 + std::cos(pi * e / t)) / (1 + std::cos(pi * (e - 1) / t)) * (current - eta_min_) +
         eta_min_;
}

LinearLR::LinearLR(Optimizer& optimizer, double start_factor, double end_factor,
                   std::int64_t total_iters)
    : Scheduler(optimizer), start_(start_factor), end_(end_factor), total_(total_iters) {
  if (total_iters < 0) ag::detail::fail<ValueError>("LinearLR: total_iters must be >= 0");
  if (!(start_factor > 0 && start_factor <= 1 && end_factor >= 0 && end_factor <= 1)) {
    ag::detail::fail<ValueError>("LinearLR: factors must be in (0, 1], got {} and {}", start_factor,
                                 end_factor);
  }
  initial_step();
}

double LinearLR::next_lr(std::size_t, double current) const {
  if (last_epoch() == 0) return current * start_;
  if (last_epoch() > total_) return current;
  return current *
         (1.0 + (end_ - start_) / (static_cast<double>(total_) * start_ +
                                   static_cast<double>(last_epoch() - 1) * (end_ - start_)));
}

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, Options options)
    : optimizer_(optimizer),
      o_(options),
      best_(options.mode == Mode::min ? std::numeric_limits<double>::infinity()
                                      : -std::numeric_limits<double>::infinity()) {
  const auto& o = options;
  if (!(o.factor >= 0 && o.factor < 1)) {
    ag::detail::fail<ValueError>("ReduceLROnPlateau: factor = {} is not in [0, 1)", o.factor);
  }
  for (const auto& [name, value] :
       {std::pair{"threshold", o.threshold}, {"min_lr", o.min_lr}, {"eps", o.eps}}) {
    if (!(std::isfinite(value) && value >= 0)) {
      ag::detail::fail<ValueError>("ReduceLROnPlateau: {} = {} is not a finite number >= 0", name,
                                   value);
    }
  }
  if (o.patience < 0 || o.cooldown < 0) {
    ag::detail::fail<ValueError>("ReduceLROnPlateau: patience and cooldown must be >= 0");
  }
}

void ReduceLROnPlateau::step(double metric) {
  const bool better = o_.mode == Mode::min ? metric < best_ * (1 - o_.threshold)
                                           : metric > best_ * (1 + o_.threshold);
  if (better) {
    best_ = metric;
    bad_epochs_ = 0;
  } else {
    ++bad_epochs_;
  }
  if (cooldown_left_ > 0) {
    --cooldown_left_;
    bad_epochs_ = 0;
  }
  if (bad_epochs_ > o_.patience) {
    for (std::size_t g = 0; g < optimizer_.num_groups(); ++g) {
      const double old_lr = optimizer_.lr(g);
      const double new_lr = std::max(old_lr * o_.factor, o_.min_lr);
      if (old_lr - new_lr > o_.eps) optimizer_.set_lr(g, new_lr);
    }
    cooldown_left_ = o_.cooldown;
    bad_epochs_ = 0;
  }
}

}  // namespace ag::optim

// SPDX-License-Identifier: MIT
// Schedules given by a function or a cycle: LambdaLR, OneCycleLR,
// CosineAnnealingWarmRestarts, and SequentialLR, which chains others.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

#include "autograd/error.hpp"
#include "autograd/nn/optim/scheduler.hpp"

namespace ag::optim {

LambdaLR::LambdaLR(Optimizer& optimizer, std::function<double(std::int64_t)> lambda)
    : Scheduler(optimizer), lambda_(std::move(lambda)) {
  if (!lambda_) ag::detail::fail<ValueError>("LambdaLR: the lambda is empty");
  initial_step();
}

double LambdaLR::next_lr(std::size_t group, double) const {
  const double factor = lambda_(last_epoch());
  if (!std::isfinite(factor) || factor < 0) {
    ag::detail::fail<ValueError>("LambdaLR: lambda({}) = {} is not a finite number >= 0",
                                 last_epoch(), factor);
  }
  return base_lrs_[group] * factor;
}

namespace {
// Checks OneCycleLR's arguments, then sets every group's lr to max_lr /
// div_factor before the base rates are taken (whatever the optimizer had):
// a refused schedule leaves the optimizer as it was.
Optimizer& checked_start(Optimizer& optimizer, double max_lr, std::int64_t total_steps,
                         const OneCycleOptions& o) {
  if (total_steps <= 0) ag::detail::fail<ValueError>("OneCycleLR: total_steps must be positive");
  if (!(o.pct_start >= 0 && o.pct_start <= 1)) {
    ag::detail::fail<ValueError>("OneCycleLR: pct_start = {} is not in [0, 1]", o.pct_start);
  }
  if (!(std::isfinite(max_lr) && max_lr >= 0 && o.div_factor > 0 && o.final_div_factor > 0 &&
        std::isfinite(o.div_factor) && std::isfinite(o.final_div_factor))) {
    ag::detail::fail<ValueError>(
        "OneCycleLR: max_lr = {} must be >= 0 and the div factors ({}, {}) positive", max_lr,
        o.div_factor, o.final_div_factor);
  }
  optimizer.set_lr(max_lr / o.div_factor);
  return optimizer;
}
}  // namespace

OneCycleLR::OneCycleLR(Optimizer& optimizer, double max_lr, std::int64_t total_steps,
                       OneCycleOptions options)
    : Scheduler(checked_start(optimizer, max_lr, total_steps, options)),
      total_steps_(total_steps),
      o_(options) {
  const auto& o = options;
  const double initial = max_lr / o.div_factor, min_lr = initial / o.final_div_factor;
  const double up = o.pct_start * static_cast<double>(total_steps) - 1,
               last = static_cast<double>(total_steps) - 1;
  if (o.three_phase) {
    phases_ = {{up, initial, max_lr}, {2 * up, max_lr, initial}, {last, initial, min_lr}};
  } else {
    phases_ = {{up, initial, max_lr}, {last, max_lr, min_lr}};
  }
  initial_step();
}

double OneCycleLR::next_lr(std::size_t, double) const {
  const auto step = static_cast<double>(last_epoch());
  if (last_epoch() > total_steps_) {
    ag::detail::fail<ValueError>("OneCycleLR: stepped {} times, past total_steps = {}",
                                 last_epoch(), total_steps_);
  }
  double start = 0;
  for (std::size_t i = 0; i < phases_.size(); ++i) {
    const Phase& p = phases_[i];
    if (step <= p.end_step || i + 1 == phases_.size()) {
      // clamped: the one step PyTorch allows past the end stays at the
      // final rate instead of extrapolating (below 0 for linear)
      const double pct = std::clamp((step - start) / (p.end_step - start), 0.0, 1.0);
      if (o_.anneal == OneCycleOptions::Anneal::linear) {
        return (p.end_lr - p.start_lr) * pct + p.start_lr;
      }
      return p.end_lr + (p.start_lr - p.end_lr) / 2 * (std::cos(std::numbers::pi * pct) + 1);
    }
    start = p.end_step;
  }
  return phases_.back().end_lr;
}

CosineAnnealingWarmRestarts::CosineAnnealingWarmRestarts(Optimizer& optimizer, std::int64_t t_0,
                                                         std::int64_t t_mult, double eta_min)
    : Scheduler(optimizer), t_mult_(t_mult), eta_min_(eta_min), t_i_(t_0) {
  if (t_0 <= 0 || t_mult < 1) {
    ag::detail::fail<ValueError>(
        "CosineAnnealingWarmRestarts: t_0 = {} must be positive and t_mult = {} >= 1", t_0, t_mult);
  }
  if (!std::isfinite(eta_min) || eta_min < 0) {
    ag::detail::fail<ValueError>(
        "CosineAnnealingWarmRestarts: eta_min = {} is not a finite number >= 0", eta_min);
  }
  initial_step();
}

void CosineAnnealingWarmRestarts::advance() {
  if (++t_cur_ >= t_i_) {  // a restart, into a period t_mult times longer
    t_cur_ -= t_i_;
    if (t_i_ > std::numeric_limits<std::int64_t>::max() / t_mult_) {
      ag::detail::fail<ValueError>("CosineAnnealingWarmRestarts: the period overflows");
    }
    t_i_ *= t_mult_;
  }
  Scheduler::advance();
}

double CosineAnnealingWarmRestarts::next_lr(std::size_t group, double) const {
  const double phase = static_cast<double>(t_cur_) / static_cast<double>(t_i_);
  return eta_min_ + (base_lrs_[group] - eta_min_) * (1 + std::cos(std::numbers::pi * phase)) / 2;
}

StateDict CosineAnnealingWarmRestarts::state_dict() const {
  StateDict state = Scheduler::state_dict();
  state.emplace_back("T_cur", scalar_tensor(static_cast<double>(t_cur_), DType::float64));
  state.emplace_back("T_i", scalar_tensor(static_cast<double>(t_i_), DType::float64));
  return state;
}

void CosineAnnealingWarmRestarts::load_state_dict(const StateDict& state) {
  std::int64_t cur = -2, period = 0;
  for (const auto& [key, t] : state) {
    const double v = t.numel() == 1 ? t.to_vector()[0] : -2.0;
    if (key == "T_cur" && v >= 0 && v < 9.0e15 && v == std::floor(v))
      cur = static_cast<std::int64_t>(v);
    if (key == "T_i" && v >= 1 && v < 9.0e15 && v == std::floor(v))
      period = static_cast<std::int64_t>(v);
  }
  if (cur < 0 || period < 1 || cur >= period) {
    ag::detail::fail<ValueError>(
        "CosineAnnealingWarmRestarts load_state_dict: needs counts T_cur < T_i");
  }
  Scheduler::load_state_dict(state);
  t_cur_ = cur;
  t_i_ = period;
}

SequentialLR::SequentialLR(Optimizer& optimizer, std::vector<std::shared_ptr<Scheduler>> schedulers,
                           std::vector<std::int64_t> milestones)
    : Scheduler(optimizer), schedulers_(std::move(schedulers)), milestones_(std::move(milestones)) {
  if (schedulers_.empty() || milestones_.size() + 1 != schedulers_.size()) {
    ag::detail::fail<ValueError>(
        "SequentialLR: {} schedulers need {} milestones, got {}", schedulers_.size(),
        schedulers_.empty() ? 0 : schedulers_.size() - 1, milestones_.size());
  }
  for (const auto& s : schedulers_) {
    if (!s || &s->optimizer_ != &optimizer) {
      ag::detail::fail<ValueError>("SequentialLR: every scheduler must drive its optimizer");
    }
  }
  if (!std::is_sorted(milestones_.begin(), milestones_.end())) {
    ag::detail::fail<ValueError>("SequentialLR: milestones must rise");
  }
  // Each scheduler starts from the rates the first one found (PyTorch's
  // initial_lr); the first one starts over.
  base_lrs_ = schedulers_.front()->base_lrs_;
  for (auto& s : schedulers_) s->base_lrs_ = base_lrs_;
  for (std::size_t g = 0; g < base_lrs_.size(); ++g) optimizer.set_lr(g, base_lrs_[g]);
  schedulers_.front()->initial_step();
  last_epoch_ = 0;
}

double SequentialLR::next_lr(std::size_t, double current) const { return current; }

void SequentialLR::advance() {
  ++last_epoch_;
  const auto at = std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch_);
  Scheduler& active = *schedulers_[at - milestones_.begin()];
  if (at != milestones_.begin() && *(at - 1) == last_epoch_) {
    for (std::size_t g = 0; g < base_lrs_.size(); ++g) optimizer_.set_lr(g, base_lrs_[g]);
    active.initial_step();  // a fresh start from the base rates
  } else {
    active.advance();
  }
}

StateDict SequentialLR::state_dict() const {
  StateDict state = Scheduler::state_dict();
  for (std::size_t k = 0; k < schedulers_.size(); ++k) {
    for (auto& [name, t] : schedulers_[k]->state_dict()) {
      state.emplace_back(std::to_string(k) + "." + name, t);
    }
  }
  return state;
}

void SequentialLR::load_state_dict(const StateDict& state) {
  std::vector<StateDict> parts(schedulers_.size());
  StateDict own;
  for (const auto& [name, t] : state) {
    const std::size_t dot = name.find('.');
    std::size_t k = schedulers_.size();
    if (dot != std::string::npos && dot > 0 && dot < 6 &&
        name.find_first_not_of("0123456789") == dot) {
      k = std::stoul(name.substr(0, dot));
    }
    if (k < schedulers_.size()) {
      parts[k].emplace_back(name.substr(dot + 1), t);
    } else {
      own.emplace_back(name, t);
    }
  }
  // Each part checks its entries before it changes anything; if a later part
  // fails, the earlier ones are put back, so a bad state changes nothing.
  const StateDict before = state_dict();
  try {
    for (std::size_t k = 0; k < schedulers_.size(); ++k) schedulers_[k]->load_state_dict(parts[k]);
    Scheduler::load_state_dict(own);
  } catch (...) {
    std::vector<StateDict> old(schedulers_.size());
    for (const auto& [name, t] : before) {
      const std::size_t dot = name.find('.');
      if (dot != std::string::npos && name.find_first_not_of("0123456789") == dot) {
        old[std::stoul(name.substr(0, dot))].emplace_back(name.substr(dot + 1), t);
      }
    }
    for (std::size_t k = 0; k < schedulers_.size(); ++k) schedulers_[k]->load_state_dict(old[k]);
    Scheduler::load_state_dict(before);
    throw;
  }
}

}  // namespace ag::optim

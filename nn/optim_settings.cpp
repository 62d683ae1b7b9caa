// SPDX-License-Identifier: MIT
// The optimizers' settings and their ranges: PyTorch's checks, and no NaN
// or infinity anywhere (a NaN slips through `x < 0` checks and turns every
// parameter into NaN at the first step).
#include <cmath>

#include "autograd/error.hpp"
#include "autograd/nn/optim.hpp"

namespace ag::optim::detail {

namespace {
// ValueError unless `ok`: "Adam: beta2 = 1 is not in [0, 1)".
void require(bool ok, const char* optimizer, const char* setting, double value,
             const char* expected) {
  if (!ok)
    ag::detail::fail<ValueError>("{}: {} = {} is not {}", optimizer, setting, value, expected);
}
bool non_negative(double v) { return std::isfinite(v) && v >= 0; }
bool in_unit(double v) { return v >= 0 && v < 1; }  // false for NaN
constexpr const char* kNonNegative = "a finite number >= 0";
constexpr const char* kUnit = "in [0, 1)";
}  // namespace

void validate_lr(double lr, const char* optimizer) {
  require(non_negative(lr), optimizer, "lr", lr, kNonNegative);
}

void validate(const SGDOptions& o) {
  validate_lr(o.lr, "SGD");
  require(non_negative(o.momentum), "SGD", "momentum", o.momentum, kNonNegative);
  require(std::isfinite(o.dampening), "SGD", "dampening", o.dampening, "finite");
  require(non_negative(o.weight_decay), "SGD", "weight_decay", o.weight_decay, kNonNegative);
  if (o.nesterov && (o.momentum <= 0 || o.dampening != 0)) {
    ag::detail::fail<ValueError>("SGD: Nesterov momentum needs momentum > 0 and dampening 0");
  }
}

void validate(const RMSpropOptions& o) {
  validate_lr(o.lr, "RMSprop");
  require(non_negative(o.alpha), "RMSprop", "alpha", o.alpha, kNonNegative);
  require(non_negative(o.eps), "RMSprop", "eps", o.eps, kNonNegative);
  require(non_negative(o.weight_decay), "RMSprop", "weight_decay", o.weight_decay, kNonNegative);
  require(non_negative(o.momentum), "RMSprop", "momentum", o.momentum, kNonNegative);
}

void validate(const AdamOptions& o) {
  validate_lr(o.lr, "Adam");
  require(in_unit(o.beta1), "Adam", "beta1", o.beta1, kUnit);
  require(in_unit(o.beta2), "Adam", "beta2", o.beta2, kUnit);
  require(non_negative(o.eps), "Adam", "eps", o.eps, kNonNegative);
  require(non_negative(o.weight_decay), "Adam", "weight_decay", o.weight_decay, kNonNegative);
}

void validate(const AdagradOptions& o) {
  validate_lr(o.lr, "Adagrad");
  require(non_negative(o.lr_decay), "Adagrad", "lr_decay", o.lr_decay, kNonNegative);
  require(non_negative(o.weight_decay), "Adagrad", "weight_decay", o.weight_decay, kNonNegative);
  require(non_negative(o.initial_accumulator_value), "Adagrad", "initial_accumulator_value",
          o.initial_accumulator_value, kNonNegative);
  require(non_negative(o.eps), "Adagrad", "eps", o.eps, kNonNegative);
}

void validate(const AdadeltaOptions& o) {
  validate_lr(o.lr, "Adadelta");
  require(o.rho >= 0 && o.rho <= 1, "Adadelta", "rho", o.rho, "in [0, 1]");
  require(non_negative(o.eps), "Adadelta", "eps", o.eps, kNonNegative);
  require(non_negative(o.weight_decay), "Adadelta", "weight_decay", o.weight_decay, kNonNegative);
}

void validate(const SparseAdamOptions& o) {
  validate_lr(o.lr, "SparseAdam");
  require(in_unit(o.beta1), "SparseAdam", "beta1", o.beta1, kUnit);
  require(in_unit(o.beta2), "SparseAdam", "beta2", o.beta2, kUnit);
  require(non_negative(o.eps), "SparseAdam", "eps", o.eps, kNonNegative);
}

namespace {
// The Adam family's common settings.
template <class Options>
void validate_adam_like(const Options& o, const char* optimizer) {
  validate_lr(o.lr, optimizer);
  require(in_unit(o.beta1), optimizer, "beta1", o.beta1, kUnit);
  require(in_unit(o.beta2), optimizer, "beta2", o.beta2, kUnit);
  require(non_negative(o.eps), optimizer, "eps", o.eps, kNonNegative);
  require(non_negative(o.weight_decay), optimizer, "weight_decay", o.weight_decay, kNonNegative);
}
}  // namespace

void validate(const NAdamOptions& o) {
  validate_adam_like(o, "NAdam");
  require(non_negative(o.momentum_decay), "NAdam", "momentum_decay", o.momentum_decay,
          kNonNegative);
}
void validate(const RAdamOptions& o) { validate_adam_like(o, "RAdam"); }
void validate(const AdamaxOptions& o) { validate_adam_like(o, "Adamax"); }

}  // namespace ag::optim::detail

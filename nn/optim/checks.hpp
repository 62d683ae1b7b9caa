// SPDX-License-Identifier: MIT
// The range checks every optimizer's validate() is written with (internal
// to nn/optim/, not installed): PyTorch's checks, and no NaN or infinity
// anywhere (a NaN slips through `x < 0` checks and turns every parameter
// into NaN at the first step).
#pragma once

#include <cmath>

#include "autograd/error.hpp"
#include "autograd/nn/optim/optimizer.hpp"

namespace ag::optim::detail {

/// ValueError unless `ok`: "Adam: beta2 = 1 is not in [0, 1)".
inline void require(bool ok, const char* optimizer, const char* setting, double value,
                    const char* expected) {
  if (!ok)
    ag::detail::fail<ValueError>("{}: {} = {} is not {}", optimizer, setting, value, expected);
}
inline bool non_negative(double v) { return std::isfinite(v) && v >= 0; }
inline bool in_unit(double v) { return v >= 0 && v < 1; }  // false for NaN
inline constexpr const char* kNonNegative = "a finite number >= 0";
inline constexpr const char* kUnit = "in [0, 1)";

/// The settings the Adam family shares: lr, beta1, beta2, eps, weight_decay.
template <class Options>
void validate_adam_like(const Options& o, const char* optimizer) {
  validate_lr(o.lr, optimizer);
  require(in_unit(o.beta1), optimizer, "beta1", o.beta1, kUnit);
  require(in_unit(o.beta2), optimizer, "beta2", o.beta2, kUnit);
  require(non_negative(o.eps), optimizer, "eps", o.eps, kNonNegative);
  require(non_negative(o.weight_decay), optimizer, "weight_decay", o.weight_decay, kNonNegative);
}

}  // namespace ag::optim::detail

// SPDX-License-Identifier: MIT
// Training: the optimizers, the epoch loop with early stopping, the saved run.
#pragma once

#include "options.hpp"

namespace sentiment {

/// Trains on the task's training split, reports each epoch on dev, saves
/// the best model under runs/NAME; returns the exit status.
int train(const Options& o);

}  // namespace sentiment

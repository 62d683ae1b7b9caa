// SPDX-License-Identifier: MIT
// Training: the optimizers, the epoch loop with early stopping, the saved run.
#pragma once

#include "options.hpp"
#include "parallel.hpp"

namespace sentiment {

/// Trains on the task's training split, reports each epoch on dev, saves
/// the best model under runs/NAME; returns the exit status. With several
/// ranks each takes its part of every batch, and rank 0 reports and saves.
int train(const Options& o, Parallel& parallel);

}  // namespace sentiment

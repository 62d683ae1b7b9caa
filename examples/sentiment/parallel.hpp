// SPDX-License-Identifier: MIT
// Data-parallel training: under `mpirun -np N sentiment ...` (when built
// with ag::dist, i.e. MPI was found) each rank takes its part of every
// batch and the ranks average gradients (DistributedDataParallel, sparse
// embedding rows gathered); run alone (no mpirun in the environment), or
// built without MPI, it is one process and MPI is never started. The
// training loop calls only this.
#pragma once

#include <functional>
#include <memory>

#include "autograd/nn/module.hpp"

namespace sentiment {

class Parallel {
 public:
  /// Starts MPI for the program's lifetime when built with it and started
  /// by mpirun.
  Parallel(int& argc, char**& argv);
  ~Parallel();
  Parallel(const Parallel&) = delete;
  Parallel& operator=(const Parallel&) = delete;

  /// This process's rank and the number of ranks (0 and 1 alone).
  int rank() const;
  int world() const;
  /// Rank 0 prints and writes the run's files.
  bool is_main() const { return rank() == 0; }
  /// Runs `body`; with several ranks an exception on one ends them all,
  /// naming the rank.
  int run(const std::function<int()>& body) const;
  /// The mean of `value` over the ranks.
  double average(double value) const;

  /// Averages `model`'s gradients during every backward from now on
  /// (after copying rank 0's parameters to every rank).
  void watch(ag::nn::Module& model);
  /// Waits for the averages; call between backward and the optimizer step.
  void synchronize();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sentiment

// SPDX-License-Identifier: MIT
// The communication thread of DistributedDataParallel (internal to nn/dist/,
// not installed).
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

#include "autograd/nn/dist/mpi.hpp"

namespace ag::dist::detail {

// Runs jobs in order on its own thread: each bucket's blocking allreduce,
// while backward goes on (MPI has no progress of its own for a nonblocking
// collective between calls, and OpenMPI's blocking allreduce is the faster
// algorithm). Its collectives use their own communicator, so the main
// thread's (dist::average, ...) cannot interleave with them.
class Worker {
 public:
  Worker() : thread_([this] { loop(); }) {
    mpi::check(MPI_Comm_dup(MPI_COMM_WORLD, &comm_), "MPI_Comm_dup");
  }
  ~Worker() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
    thread_.join();  // after the queued jobs: every rank runs the same collectives
    MPI_Comm_free(&comm_);
  }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  MPI_Comm comm() const { return comm_; }
  void submit(std::function<void()> job) {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back(std::move(job));
      ++pending_;
    }
    changed_.notify_all();
  }
  // Waits for every job; rethrows the first error.
  void wait() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return pending_ == 0; });
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  void loop() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      std::exception_ptr error;
      try {
        job();
      } catch (...) {
        error = std::current_exception();
      }
      {
        std::lock_guard lock(mutex_);
        if (error && !error_) error_ = error;
        --pending_;
      }
      changed_.notify_all();
    }
  }
  MPI_Comm comm_ = MPI_COMM_NULL;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> jobs_;
  std::size_t pending_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
  std::thread thread_;  // last: starts after the rest is set up
};

}  // namespace ag::dist::detail

// SPDX-License-Identifier: MIT
// Loading the library leaves no BLAS worker spinning: OpenBLAS starts its
// pool at load and idle workers spin for ~0.1 s (gemm_backends.cpp stops it).
// The pool comes back for a product that uses two threads. In a binary of its
// own: it counts the process's threads before any product has run.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <thread>

#include "autograd/autograd.hpp"

namespace {
std::ptrdiff_t threads_in_process() {
  const std::filesystem::directory_iterator tasks("/proc/self/task");
  return std::distance(begin(tasks), end(tasks));
}
// The count once stopped workers have left /proc: a joined thread's entry
// can linger a moment (seen under load), so look again, a bounded number of
// times, yielding in between (no clock: the bound is a count of looks).
std::ptrdiff_t threads_once_settled() {
  for (int looks = 0; looks < 100000 && threads_in_process() > 1; ++looks)
    std::this_thread::yield();
  return threads_in_process();
}
}  // namespace

TEST_CASE("no BLAS worker threads before a product asks for them; two-thread products still run") {
  CHECK(threads_in_process() == 1);
  ag::set_num_threads(1);  // the default is BLAS's: one per core
  ag::Generator gen(3);
  const ag::Tensor a = ag::randn({256, 256}, gen, ag::DType::float64);
  const ag::Tensor b = ag::randn({256, 256}, gen, ag::DType::float64);
  const ag::Tensor one_thread = ag::matmul(a, b);
  CHECK(threads_in_process() == 1);

  ag::set_num_threads(2);
  const ag::Tensor two_threads = ag::matmul(a, b);
  // OpenBLAS makes no pool on a one-core machine; Eigen (-Dgemm=eigen) none at all.
  if (std::thread::hardware_concurrency() > 1 &&
      ag::gemm_backend(ag::DType::float64, 256, 256, 256) == "openblas")
    CHECK(threads_in_process() > 1);
  ag::set_num_threads(1);  // back to one thread: the workers are stopped
  CHECK(threads_once_settled() == 1);
  const double* p = one_thread.data<double>();
  const double* q = two_threads.data<double>();
  double worst = 0;
  for (std::int64_t i = 0; i < one_thread.numel(); ++i)
    worst = std::max(worst, std::abs(p[i] - q[i]));
  CHECK(worst < 1e-9);
}

// SPDX-License-Identifier: MIT
// Threads in the process: none but the caller's until a product is split
// (OpenBLAS's own pool, which it starts at load and whose idle workers spin
// for ~0.1 s, is stopped, and OpenBLAS runs at one thread), then the
// library's workers, one fewer than set_num_threads; the same ones, parked,
// at one thread. In a binary of its own: it counts the process's threads before
// any product has run.
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
// The count once ended workers have left /proc: a joined thread's entry can
// linger a moment (seen under load), so look again, a bounded number of
// times, yielding in between (no clock: the bound is a count of looks).
std::ptrdiff_t threads_once_settled(std::ptrdiff_t expected) {
  for (int looks = 0; looks < 100000 && threads_in_process() != expected; ++looks)
    std::this_thread::yield();
  return threads_in_process();
}
double worst_difference(const ag::Tensor& x, const ag::Tensor& y) {
  const std::vector<double> p = x.to_vector(), q = y.to_vector();
  double worst = 0;
  for (std::size_t i = 0; i < p.size(); ++i) worst = std::max(worst, std::abs(p[i] - q[i]));
  return worst;
}
}  // namespace

TEST_CASE("no worker threads before a product is split; the library's own workers after") {
  CHECK(threads_in_process() == 1);
  CHECK(ag::get_num_threads() >= 1);  // OpenBLAS's default: one per core
  ag::set_num_threads(1);
  ag::Generator gen(3);
  for (const ag::DType dtype : {ag::DType::float64, ag::DType::float32}) {
    CAPTURE(dtype);
    const ag::Tensor a = ag::randn({256, 256}, gen, dtype);
    const ag::Tensor b = ag::randn({256, 256}, gen, dtype);
    const ag::Tensor one_thread = ag::matmul(a, b);
    // None before the first split; the parked workers in the second round.
    CHECK(threads_in_process() == (dtype == ag::DType::float64 ? 1 : 3));

    ag::set_num_threads(3);
    const ag::Tensor three_threads = ag::matmul(a, b);
    CHECK(threads_once_settled(3) == 3);  // two workers, no BLAS or OpenMP pool
    const ag::Tensor again = ag::matmul(a, b);
    CHECK(threads_in_process() == 3);  // the same workers, not new ones
    ag::set_num_threads(1);            // back to one thread: the workers park
    const ag::Tensor parked = ag::matmul(a, b);
    CHECK(threads_in_process() == 3);  // asleep, not ended (tests/parallel_test.cpp)
    CHECK(worst_difference(one_thread, parked) == 0);
    CHECK(worst_difference(one_thread, three_threads) <
          (dtype == ag::DType::float32 ? 1e-3 : 1e-9));
    CHECK(worst_difference(three_threads, again) == 0);
  }
}

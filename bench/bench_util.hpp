// SPDX-License-Identifier: MIT
// Timing helpers (median (min-max) of several runs, reported in the same run
// as a baseline, because the machine is shared and noisy) and the workload
// data both bench/workloads.cpp and its LibTorch twin use.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <numbers>
#include <utility>
#include <vector>

namespace bench {

struct Stats {
  double median, min, max;
};

/// Median, min and max of `values` (not empty).
inline Stats median_min_max(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return {values[values.size() / 2], values.front(), values.back()};
}

/// Runs `body` `rounds` times; returns seconds per run.
template <class F>
Stats time_runs(int rounds, F&& body) {
  std::vector<double> seconds;
  for (int r = 0; r < rounds; ++r) {
    const auto start = std::chrono::steady_clock::now();
    body();
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return median_min_max(std::move(seconds));
}

/// This process's peak resident set so far, in MiB.
inline double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

/// CPU seconds (user + system) spent so far by the process's threads other
/// than the calling one, including threads that have ended.
inline double other_threads_cpu_s() {
  const auto seconds = [](int who) {
    rusage usage{};
    getrusage(who, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
  };
  return seconds(RUSAGE_SELF) - seconds(RUSAGE_THREAD);
}

/// Page faults (minor) this process has taken so far.
inline long minor_faults() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_minflt;
}

/// Seconds one call of `body` takes.
inline double seconds_of(const std::function<void()>& body) {
  const auto start = std::chrono::steady_clock::now();
  body();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// P2's weights: a 64-bit LCG, seed 42, w = 2*(s>>11)*2^-53 - 1 (the definition).
struct Lcg {
  std::uint64_t s = 42;
  double next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return 2.0 * static_cast<double>(s >> 11) * 0x1.0p-53 - 1.0;
  }
};

/// P2's 100 points: for k = 0..99, i = k/2, t = pi*i/49; even k: (cos t, sin t), label -1;
/// odd k: (1-cos t, 0.5-sin t), label +1. xs row-major (100 x 2).
inline void moons(std::vector<double>& xs, std::vector<double>& ys) {
  for (int k = 0; k < 100; ++k) {
    const double t = std::numbers::pi * (k / 2) / 49.0;
    if (k % 2 == 0) {
      xs.insert(xs.end(), {std::cos(t), std::sin(t)});
      ys.push_back(-1.0);
    } else {
      xs.insert(xs.end(), {1 - std::cos(t), 0.5 - std::sin(t)});
      ys.push_back(1.0);
    }
  }
}

}  // namespace bench

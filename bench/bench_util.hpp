// Timing helpers: median (min-max) of several runs, reported in the same run
// as a baseline, because the machine is shared and noisy.
#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

namespace bench {

struct Stats {
  double median, min, max;
};

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
  std::sort(seconds.begin(), seconds.end());
  return {seconds[seconds.size() / 2], seconds.front(), seconds.back()};
}

}  // namespace bench

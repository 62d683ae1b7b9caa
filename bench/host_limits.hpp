// SPDX-License-Identifier: MIT
// The running host's limits, measured in the same run as the figures set
// against them (hosts of one machine kind differ underneath): one core's
// float32 FMA peak at 256 and 512 bits, and what a fresh page costs, faulted
// in by a first write or populated ahead with MADV_POPULATE_WRITE.
#pragma once

#include <immintrin.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>

namespace bench {

namespace detail {
inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// 12 independent FMA chains (more than latency x ports on current cores),
// `iterations` rounds: GFLOP/s of one core at this width.
__attribute__((target("avx2,fma"))) inline double fma256(long iterations) {
  __m256 a[12];
  for (int i = 0; i < 12; ++i) a[i] = _mm256_set1_ps(1.0f + 1e-3f * static_cast<float>(i));
  const __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
  const auto start = std::chrono::steady_clock::now();
  for (long k = 0; k < iterations; ++k) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) a[i] = _mm256_fmadd_ps(a[i], m, c);
  }
  const double seconds = seconds_since(start);
  __m256 sum = a[0];
  for (int i = 1; i < 12; ++i) sum = _mm256_add_ps(sum, a[i]);
  volatile float keep = _mm256_cvtss_f32(sum);  // the chains must not be optimised away
  (void)keep;
  return static_cast<double>(iterations) * 12 * 16 / seconds * 1e-9;
}

__attribute__((target("avx512f"))) inline double fma512(long iterations) {
  __m512 a[12];
  for (int i = 0; i < 12; ++i) a[i] = _mm512_set1_ps(1.0f + 1e-3f * static_cast<float>(i));
  const __m512 m = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
  const auto start = std::chrono::steady_clock::now();
  for (long k = 0; k < iterations; ++k) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) a[i] = _mm512_fmadd_ps(a[i], m, c);
  }
  const double seconds = seconds_since(start);
  __m512 sum = a[0];
  for (int i = 1; i < 12; ++i) sum = _mm512_add_ps(sum, a[i]);
  float lanes[16];
  _mm512_storeu_ps(lanes, sum);
  volatile float keep = lanes[0];
  (void)keep;
  return static_cast<double>(iterations) * 12 * 32 / seconds * 1e-9;
}
}  // namespace detail

/// One core's float32 FMA peak in GFLOP/s at 256 bits (AVX2+FMA) and 512
/// bits (AVX-512F), 0 where the CPU lacks it; best of 5 runs of 30-80 ms each
/// (sustained, past any frequency change a wide unit brings).
struct FmaPeak {
  double avx2 = 0, avx512 = 0;
  /// The widest the CPU has: what a GEMM can reach at best.
  double best() const { return std::max(avx2, avx512); }
};
inline FmaPeak measure_fma_peak() {
  FmaPeak peak;
  for (int run = 0; run < 5; ++run) {
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
      peak.avx2 = std::max(peak.avx2, detail::fma256(20'000'000));
    }
    if (__builtin_cpu_supports("avx512f")) {
      peak.avx512 = std::max(peak.avx512, detail::fma512(20'000'000));
    }
  }
  return peak;
}

/// Microseconds per 4 KiB page: a first write to a fresh page (a fault), and
/// MADV_POPULATE_WRITE ahead of the writes (0 where the kernel lacks it).
/// Median of 5 runs over 64 MiB each.
struct PageCosts {
  double fault_us = 0, populate_us = 0;
};
inline PageCosts measure_page_costs() {
  constexpr std::size_t kBytes = 64u << 20;
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const std::size_t pages = kBytes / page;
  auto run = [&](bool populate) {
    void* p = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 0.0;
    auto* bytes = static_cast<volatile char*>(p);
    const auto start = std::chrono::steady_clock::now();
#ifdef MADV_POPULATE_WRITE
    if (populate && madvise(p, kBytes, MADV_POPULATE_WRITE) != 0) {
      munmap(p, kBytes);
      return 0.0;
    }
#else
    if (populate) {
      munmap(p, kBytes);
      return 0.0;
    }
#endif
    for (std::size_t i = 0; i < pages; ++i) bytes[i * page] = 1;
    const double seconds = detail::seconds_since(start);
    munmap(p, kBytes);
    return seconds / static_cast<double>(pages) * 1e6;
  };
  PageCosts costs;
  for (bool populate : {false, true}) {
    double runs[5];
    for (double& r : runs) r = run(populate);
    std::sort(runs, runs + 5);
    (populate ? costs.populate_us : costs.fault_us) = runs[2];
  }
  return costs;
}

}  // namespace bench

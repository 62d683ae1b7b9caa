// SPDX-License-Identifier: MIT
// P5 (GEMM rates through ag::matmul and through the library directly, and
// as a share of this core's FMA peak) and `host` (the host's limits), for
// bench/workloads.cpp.
#pragma once

#include <cblas.h>
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <type_traits>
#include <vector>

#include "autograd/autograd.hpp"
#include "autograd/ops/gemm.hpp"
#include "bench_util.hpp"
#include "host_limits.hpp"

namespace bench {

// P5: C = A·B through ag::matmul (no autograd) and through cblas called
// directly, interleaved, best of 7 each after a warm-up, in GFLOP/s.
template <class T>
void p5_size(std::int64_t n, double peak_float32) {
  ag::set_num_threads(1);
  ag::Generator gen(1);
  constexpr auto dtype = std::is_same_v<T, float> ? ag::DType::float32 : ag::DType::float64;
  const ag::Tensor a = ag::randn({n, n}, gen, dtype), b = ag::randn({n, n}, gen, dtype);
  std::vector<T> c(static_cast<std::size_t>(n * n));
  const int reps = n <= 256 ? 40 : n <= 512 ? 6 : 2;
  // The rate with the memory in place: oneDNN's sgemm allocates a scratch
  // buffer per call, and glibc places it on fresh heap pages for the first
  // calls of a shape (memalign's slack does not fit the hole the last one
  // left until its small leftovers stop going to the thread cache): ~550
  // faults a 1024 product here, 5 ms at 9 us a fault. Warm up until a call
  // takes no fault (at most 30 calls) and report what the warm-up cost.
  int warmup = 0;
  double first = 0, cold = 0;
  for (long faults = 1; faults > 0 && warmup < 30; ++warmup) {
    const long before = bench::minor_faults();
    const double s = bench::seconds_of([&] { (void)ag::matmul(a, b); });
    faults = bench::minor_faults() - before;
    (warmup == 0 ? first : cold) += s;
  }
  double ours = 1e9, direct = 1e9;
  for (int round = 0; round < 7; ++round) {
    ours = std::min(ours, bench::seconds_of([&] {
                      for (int r = 0; r < reps; ++r) (void)ag::matmul(a, b);
                    }));
    direct = std::min(direct, bench::seconds_of([&] {
                        for (int r = 0; r < reps; ++r) {
                          if constexpr (std::is_same_v<T, float>) {
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f,
                                        a.data<float>(), n, b.data<float>(), n, 0.0f, c.data(), n);
                          } else {
                            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0,
                                        a.data<double>(), n, b.data<double>(), n, 0.0, c.data(), n);
                          }
                        }
                      }));
  }
  const double flops = 2.0 * static_cast<double>(n * n * n) * reps;
  const char* kind = std::is_same_v<T, float> ? "s" : "d";
  // float64 FMAs do half the float32 work per instruction.
  const double peak = peak_float32 / (std::is_same_v<T, float> ? 1 : 2);
  fmt::print("p5-{}gemm{} {:.1f} GFLOP/s\n", kind, n, flops / ours * 1e-9);
  fmt::print("p5-{}gemm{}-of-peak {:.1f} % (of {:.1f} GFLOP/s, this core's FMA peak)\n", kind, n,
             100 * flops / ours * 1e-9 / peak, peak);
  fmt::print("p5-{}gemm{}-cblas {:.1f} GFLOP/s (the GEMM library called directly)\n", kind, n,
             flops / direct * 1e-9);
  fmt::print(
      "p5-{}gemm{}-warmup {} calls until one took no page fault (first {:.2f} ms, the others "
      "{:.2f} ms on average, against {:.2f} ms warm)\n",
      kind, n, warmup, first * 1e3, warmup > 1 ? cold / (warmup - 1) * 1e3 : 0.0,
      ours / reps * 1e3);
}

// P3's eight products through the library's product kernel, as its step
// runs them (forward x Wᵀ of the three layers, weight gradients gᵀ x, input
// gradients g W of the last two), on buffers of their own: a call replays
// one step's products alone. A P3 step minus this is what everything else
// costs it (bias, activations, loss, Adam, the graph), products slowed by
// colder caches in the step included.
inline std::function<void()> p3_products() {
  constexpr std::int64_t kBatch = 128, kSizes[] = {784, 512, 256, 10};
  const auto filled = [](std::int64_t count) {
    std::vector<float> v(static_cast<std::size_t>(count));
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i * 37 % 101) / 50 - 1;
    return v;
  };
  struct Layer {
    std::int64_t in, out;
    std::vector<float> x, w, y, g, dw, dx;
  };
  auto layers = std::make_shared<std::vector<Layer>>();
  for (int l = 0; l < 3; ++l) {
    const std::int64_t in = kSizes[l], out = kSizes[l + 1];
    layers->push_back({in, out, filled(kBatch * in), filled(out * in), filled(kBatch * out),
                       filled(kBatch * out), filled(out * in), filled(kBatch * in)});
  }
  return [layers] {
    using ag::detail::gemm_kernel;
    for (Layer& l : *layers) {
      gemm_kernel(false, true, kBatch, l.out, l.in, l.x.data(), l.w.data(), l.y.data());
    }
    for (std::size_t k = layers->size(); k-- > 0;) {
      Layer& l = (*layers)[k];
      if (k > 0)
        gemm_kernel(false, false, kBatch, l.in, l.out, l.g.data(), l.w.data(), l.dx.data());
      gemm_kernel(true, false, l.out, l.in, kBatch, l.g.data(), l.x.data(), l.dw.data());
    }
  };
}

void p5() {
  const double peak = bench::measure_fma_peak().best();
  p5_size<float>(256, peak);
  p5_size<float>(512, peak);
  p5_size<float>(1024, peak);
  p5_size<double>(512, peak);
}

// The host's limits: FMA peaks, and a fresh page's cost faulted or populated.
void host() {
  const bench::FmaPeak peak = bench::measure_fma_peak();
  fmt::print("host-fma256 {:.1f} GFLOP/s (one core, float32)\n", peak.avx2);
  fmt::print("host-fma512 {:.1f} GFLOP/s (one core, float32; 0 without AVX-512)\n", peak.avx512);
  const bench::PageCosts pages = bench::measure_page_costs();
  fmt::print("host-page-fault {:.3f} us/page (first write to a fresh 4 KiB page)\n",
             pages.fault_us);
  fmt::print("host-page-populate {:.3f} us/page (MADV_POPULATE_WRITE ahead, then the write)\n",
             pages.populate_us);
}

}  // namespace bench

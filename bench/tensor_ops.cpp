// SPDX-License-Identifier: MIT
// Tensor micro-benchmarks, each beside a baseline measured in the same run:
// per-op overhead on tiny tensors (forward, backward), matmul against the
// BLAS call it makes, and elementwise add on 1M floats against a plain loop.
#include <cblas.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include <cstdlib>
#include <memory>
#include <vector>

#include "autograd/autograd.hpp"
#include "bench_util.hpp"

using namespace ag;

namespace {

// Per-op overhead on tiny tensors, in three parts timed separately: building
// a chain of kOps multiplications (forward), backward through it, and
// freeing it when the last handle goes.
void tiny_ops(int rounds) {
  constexpr int kOps = 20000;
  using Clock = std::chrono::steady_clock;
  auto since = [](Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  const Tensor w = Tensor::from({0.5f, -0.25f, 1.5f, 2.0f}).requires_grad_();
  std::vector<double> forward, backward, teardown;
  for (int r = 0; r < rounds; ++r) {
    auto start = Clock::now();
    Tensor y = w;
    for (int i = 0; i < kOps; ++i) y = y * w;
    forward.push_back(since(start));
    Tensor loss = sum(y);
    start = Clock::now();
    loss.backward(Tensor(), true);  // retain_graph: freeing is timed apart
    backward.push_back(since(start));
    start = Clock::now();
    y = Tensor();
    loss = Tensor();
    teardown.push_back(since(start));
  }
  // baseline: the same arithmetic on a plain array (no graph, no allocation)
  std::vector<float> v{0.5f, -0.25f, 1.5f, 2.0f}, y = v;
  const auto raw = bench::time_runs(rounds, [&] {
    for (int i = 0; i < kOps; ++i) {
      for (int k = 0; k < 4; ++k) y[k] *= v[k];
    }
  });
  auto ns = [&](std::vector<double> t) {
    std::sort(t.begin(), t.end());
    return fmt::format("{:.0f} ns/op ({:.0f}-{:.0f})", t[t.size() / 2] / kOps * 1e9,
                       t.front() / kOps * 1e9, t.back() / kOps * 1e9);
  };
  fmt::print(
      "tiny ops (4 floats, mul): forward {}, backward {}, freeing {}; plain loop {:.1f} ns/op\n",
      ns(forward), ns(backward), ns(teardown), raw.median / kOps * 1e9);
}

template <class T>
void gemm(int n, int rounds) {
  const DType dtype = dtype_of<T>();
  Generator gen(1);
  const Tensor a = rand({n, n}, gen, dtype), b = rand({n, n}, gen, dtype);
  std::vector<T> c(static_cast<std::size_t>(n) * n);
  const auto ours = bench::time_runs(rounds, [&] { (void)matmul(a, b); });
  const auto direct = bench::time_runs(rounds, [&] {
    if constexpr (std::is_same_v<T, float>) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data<float>(), n,
                  b.data<float>(), n, 0.0f, c.data(), n);
    } else {
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a.data<double>(), n,
                  b.data<double>(), n, 0.0, c.data(), n);
    }
  });
  const double flops = 2.0 * n * n * n;
  fmt::print("matmul {} n={:4}: ag {:6.1f} GFLOP/s, BLAS direct {:6.1f} GFLOP/s, ratio {:.3f}\n",
             dtype, n, flops / ours.median / 1e9, flops / direct.median / 1e9,
             direct.median / ours.median);
}

void elementwise(int rounds) {
  constexpr std::int64_t kN = 1 << 20;
  Generator gen(2);
  const Tensor a = rand({kN}, gen), b = rand({kN}, gen);
  std::unique_ptr<float[]> out;
  const auto ours = bench::time_runs(rounds, [&] { (void)(a + b); });
  const auto raw = bench::time_runs(rounds, [&] {
    std::unique_ptr<float[]> fresh(new float[kN]);  // the op allocates its output too
    const float* pa = a.data<float>();
    const float* pb = b.data<float>();
    for (std::int64_t i = 0; i < kN; ++i) fresh[i] = pa[i] + pb[i];
    out = std::move(fresh);
  });
  const double bytes = 3.0 * kN * sizeof(float);
  fmt::print("add 1M float32: ag {:.1f} GB/s ({:.0f} us), plain loop {:.1f} GB/s, ratio {:.2f}\n",
             bytes / ours.median / 1e9, ours.median * 1e6, bytes / raw.median / 1e9,
             raw.median / ours.median);
}

// Sums in double, pairwise or blocked (accurate), against a plain float
// loop (fast, 1 % off at a million elements), whole-tensor and by columns.
void reductions(int rounds) {
  Generator gen(3);
  for (std::int64_t n : {std::int64_t{1} << 20, std::int64_t{10'000'000}}) {
    const Tensor x = rand({n}, gen);
    float naive_total = 0;
    const auto ours = bench::time_runs(rounds, [&] { (void)sum(x); });
    const auto raw = bench::time_runs(rounds, [&] {
      const float* p = x.data<float>();
      float total = 0;
      for (std::int64_t i = 0; i < n; ++i) total += p[i];
      naive_total = total;
    });
    const double bytes = static_cast<double>(n) * sizeof(float);
    fmt::print(
        "sum {:>8} float32: ag {:.1f} GB/s, plain float loop {:.1f} GB/s, ratio {:.2f} "
        "(errors against float64: ag {:.1e}, loop {:.1e})\n",
        n, bytes / ours.median / 1e9, bytes / raw.median / 1e9, raw.median / ours.median,
        std::fabs(sum(x).item() / sum(x.to(DType::float64)).item() - 1),
        std::fabs(naive_total / sum(x.to(DType::float64)).item() - 1));
  }
  const Tensor m = rand({2000, 300}, gen);
  std::vector<float> columns(300);
  const auto ours = bench::time_runs(rounds, [&] { (void)sum(m, {0}); });
  const auto raw = bench::time_runs(rounds, [&] {
    const float* p = m.data<float>();
    std::fill(columns.begin(), columns.end(), 0.0f);
    for (int r = 0; r < 2000; ++r)
      for (int c = 0; c < 300; ++c) columns[c] += p[r * 300 + c];
  });
  fmt::print(
      "column sums 2000x300 float32: ag {:.0f} us, plain float loop {:.0f} us, ratio {:.2f}\n",
      ours.median * 1e6, raw.median * 1e6, raw.median / ours.median);
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 7;
  set_num_threads(1);
  fmt::print("median of {} runs, 1 BLAS thread\n", rounds);
  tiny_ops(rounds);
  for (int n : {256, 512, 1024}) gemm<float>(n, rounds);
  gemm<double>(512, rounds);
  elementwise(rounds);
  reductions(rounds);
}

// SPDX-License-Identifier: MIT
// Elementwise ops (bench/elementwise_ops.hpp) forward and forward+backward
// on (32, 16, 256) and (1024, 1024) float32 at one thread, beside the
// memory-bandwidth floor measured in the same run: the time of a plain loop
// that reads and writes as much as the op must (forward: read x, write y;
// backward adds: read the gradient and x or y, write x's gradient).
// Prints "ew-<op>-<shape>-fwd|fb microseconds us" lines (medians of 7 runs) for
// scripts/bench, whose LibTorch twin (torch_elementwise.cpp) prints the same names.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "autograd/autograd.hpp"
#include "bench_util.hpp"
#include "elementwise_ops.hpp"

using namespace ag;

namespace {

struct Ours {
  static Tensor logsigmoid(const Tensor& x) { return ag::logsigmoid(x); }
  static Tensor gelu(const Tensor& x, bool approx) { return ag::gelu(x, approx); }
};

constexpr int kRounds = 7;

void report(const std::string& name, const bench::Stats& s, int reps) {
  fmt::print("{} {:.2f} us\n", name, 1e6 * s.median / reps);
}

// The floor's loops, at the widest vectors the CPU has (the data of the
// small shape stays in cache, where the width decides).
__attribute__((target_clones("avx512f", "avx2", "default"))) void twice(const float* a, float* y,
                                                                        std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = 2.0f * a[i];
}
__attribute__((target_clones("avx512f", "avx2", "default"))) void product(const float* a,
                                                                          const float* b, float* y,
                                                                          std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) y[i] = a[i] * b[i];
}

// The floor: y = 2x (one read, one write) and z = a·b (two reads, one write)
// over plain arrays, vectorised by the compiler: no op can move less.
void floors(const bench::ElementwiseShape& shape) {
  const std::size_t n = static_cast<std::size_t>(shape.d0 * shape.d1 * shape.d2);
  std::vector<float> a(n, 1.5f), b(n, 0.5f), y(n);
  // The empty asm says memory changed, so repeated passes are not merged.
  const auto one_pass = [&] {
    twice(a.data(), y.data(), n);
    asm volatile("" : : "r"(y.data()) : "memory");
  };
  const auto two_in = [&] {
    product(a.data(), b.data(), y.data(), n);
    asm volatile("" : : "r"(y.data()) : "memory");
  };
  const int reps = shape.reps * 4;
  const bench::Stats fwd = bench::time_runs(kRounds, [&] {
    for (int r = 0; r < reps; ++r) one_pass();
  });
  const bench::Stats fb = bench::time_runs(kRounds, [&] {
    for (int r = 0; r < reps; ++r) one_pass(), two_in();
  });
  const std::string tag(shape.tag);
  report("ew-floor-" + tag + "-fwd", fwd, reps);
  report("ew-floor-" + tag + "-fb", fb, reps);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string only = argc > 1 ? argv[1] : "";
  set_num_threads(1);
  Generator gen(1);
  for (const bench::ElementwiseShape& shape : bench::kElementwiseShapes) {
    const Shape dims = {shape.d0, shape.d1, shape.d2};
    const Tensor x = randn(dims, gen, DType::float32);
    const Tensor positive = abs(x) + 0.1;
    const Tensor g = ones(dims, DType::float32);
    floors(shape);
    bench::for_each_elementwise<Ours>([&](std::string_view name, auto op, bool wants_positive) {
      if (!only.empty() && only != name) return;
      const Tensor input = wants_positive ? positive : x;
      const std::string stem = fmt::format("ew-{}-{}", name, shape.tag);
      {
        NoGradGuard no_grad;
        report(stem + "-fwd",
               bench::time_runs(kRounds,
                                [&] {
                                  for (int r = 0; r < shape.reps; ++r) op(input);
                                }),
               shape.reps);
      }
      const Tensor leaf = input.detach().requires_grad_();
      report(stem + "-fb",
             bench::time_runs(kRounds,
                              [&] {
                                for (int r = 0; r < shape.reps; ++r) {
                                  leaf.zero_grad();
                                  op(leaf).backward(g);
                                }
                              }),
             shape.reps);
    });
  }
}

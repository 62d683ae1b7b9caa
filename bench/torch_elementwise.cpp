// SPDX-License-Identifier: MIT
// LibTorch twin of bench/elementwise.cpp: the same ops, shapes and rounds at
// one thread, printing the same names. Built only with -Dlibtorch=enabled.
#include <torch/torch.h>

#include <cstdio>
#include <string>

#include "bench_util.hpp"
#include "elementwise_ops.hpp"

namespace {

struct Theirs {
  static torch::Tensor logsigmoid(const torch::Tensor& x) { return torch::log_sigmoid(x); }
  static torch::Tensor gelu(const torch::Tensor& x, bool approx) {
    return torch::gelu(x, approx ? "tanh" : "none");
  }
};

constexpr int kRounds = 7;

void report(const std::string& name, const bench::Stats& s, int reps) {
  std::printf("%s %.2f us\n", name.c_str(), 1e6 * s.median / reps);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string only = argc > 1 ? argv[1] : "";
  torch::set_num_threads(1);
  torch::manual_seed(1);
  for (const bench::ElementwiseShape& shape : bench::kElementwiseShapes) {
    const torch::Tensor x = torch::randn({shape.d0, shape.d1, shape.d2});
    const torch::Tensor positive = x.abs() + 0.1;
    const torch::Tensor g = torch::ones_like(x);
    bench::for_each_elementwise<Theirs>([&](std::string_view name, auto op, bool wants_positive) {
      if (!only.empty() && only != name) return;
      const torch::Tensor input = wants_positive ? positive : x;
      const std::string stem = "ew-" + std::string(name) + "-" + std::string(shape.tag);
      {
        torch::NoGradGuard no_grad;
        report(stem + "-fwd",
               bench::time_runs(kRounds,
                                [&] {
                                  for (int r = 0; r < shape.reps; ++r) op(input);
                                }),
               shape.reps);
      }
      torch::Tensor leaf = input.detach().requires_grad_();
      report(stem + "-fb",
             bench::time_runs(kRounds,
                              [&] {
                                for (int r = 0; r < shape.reps; ++r) {
                                  leaf.mutable_grad().reset();
                                  op(leaf).backward(g);
                                }
                              }),
             shape.reps);
    });
  }
}

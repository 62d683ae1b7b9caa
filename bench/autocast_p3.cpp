// SPDX-License-Identifier: MIT
// P3 under bfloat16 autocast (autograd/autocast.hpp) beside P3 in float32, in
// the same process: two copies of the 784-512-256-10 ReLU MLP (batch 128,
// Adam lr 1e-3, one fixed batch) step in turn, so both see the same noise.
// Prints ms per step of each, their ratio, and how far the autocast loss
// curve strays from the float32 one. With "bf16", only the autocast run: at
// two threads, OpenBLAS's pool (float32) and oneDNN's OpenMP threads
// (bfloat16) would spin against each other between the interleaved steps,
// which a program that trains one way never does (compare with workloads p3-2t).
//   autocast_p3 [THREADS] [bf16]   (default: 1 thread, both)
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "autograd/autograd.hpp"
#include "autograd/nn/nn.hpp"

namespace {

struct Run {
  std::shared_ptr<ag::nn::Sequential> net;
  std::unique_ptr<ag::optim::Adam> adam;
  std::vector<double> losses;
  double seconds = 0;
};

Run make_run() {
  ag::Generator gen(1);  // the same initial weights for both runs
  Run run;
  run.net = ag::nn::MLP({784, 512, 256, 10}, "relu", "identity", true, ag::DType::float32, gen);
  run.adam = std::make_unique<ag::optim::Adam>(run.net->parameters(), ag::optim::AdamOptions{});
  return run;
}

void step(Run& run, const ag::Tensor& x, const ag::Tensor& y, bool bf16) {
  const auto start = std::chrono::steady_clock::now();
  ag::AutocastGuard autocast(bf16);
  run.adam->zero_grad();
  const ag::Tensor loss = ag::nn::cross_entropy(run.net->forward(x), y);
  loss.backward();
  run.adam->step();
  run.losses.push_back(loss.item());
  run.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  constexpr int kSteps = 300;
  const int threads = argc > 1 ? std::stoi(argv[1]) : 1;
  const bool both = argc < 3 || std::string(argv[2]) != "bf16";
  ag::set_num_threads(threads);
  ag::Generator gen(2);
  const ag::Tensor x = ag::randn({128, 784}, gen);
  std::vector<std::int64_t> labels(128);
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::int64_t>(i * 7 % 10);
  const ag::Tensor y = ag::index_tensor(labels);
  Run f32 = make_run(), bf16 = make_run();
  const std::string tag = fmt::format("p3-{}t", threads);
  for (int i = 0; i < kSteps; ++i) {
    if (both) step(f32, x, y, false);
    step(bf16, x, y, true);
  }
  fmt::print("{}-bf16 {:.3f} ms/step (autocast on {})\n", tag, bf16.seconds / kSteps * 1e3,
             ag::autocast_backend());
  if (!both) return 0;
  // The curves until float32 has learnt the batch (loss below 1 % of its
  // start): past that both are ~0 and relative differences mean nothing.
  double worst = 0;
  for (std::size_t i = 0; i < f32.losses.size() && f32.losses[i] > 0.01 * f32.losses[0]; ++i)
    worst = std::max(worst, std::fabs(bf16.losses[i] - f32.losses[i]) / f32.losses[i]);
  fmt::print("{}-f32 {:.3f} ms/step\n", tag, f32.seconds / kSteps * 1e3);
  fmt::print("{}-bf16-vs-f32 {:.3f} x (time per step)\n", tag, bf16.seconds / f32.seconds);
  fmt::print("{}-bf16-loss-gap {:.4f} (largest relative loss difference until float32 < 1 %)\n",
             tag, worst);
  fmt::print("{}-final-loss-f32 {:.6f} loss\n", tag, f32.losses.back());
  fmt::print("{}-final-loss-bf16 {:.6f} loss\n", tag, bf16.losses.back());
}

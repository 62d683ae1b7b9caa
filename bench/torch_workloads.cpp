// SPDX-License-Identifier: MIT
// LibTorch twins of bench/workloads.cpp: the same workloads, written as a
// LibTorch user would, printing the same "name value unit" lines so that
// scripts/bench can put both in one table. Built only with -Dlibtorch=enabled
// (Debian's libtorch-dev); never a build requirement.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "sst_batch.hpp"

// Debian's LibTorch runs its matrix products on OpenBLAS, whose thread pool
// torch::set_num_threads does not limit: without this, "1 thread" would be
// two (measured: 190 GFLOP/s on sgemm 512, twice one core's rate).
extern "C" void openblas_set_num_threads(int threads);

namespace {

void set_threads(int threads) {
  torch::set_num_threads(threads);
  openblas_set_num_threads(threads);
}

using bench::peak_rss_mib;
using bench::seconds_of;

// Seconds for `steps` full-batch steps of softmax cross-entropy on (x, y).
template <class Optimizer>
double time_training(torch::nn::Sequential& net, Optimizer& opt, const torch::Tensor& x,
                     const torch::Tensor& y, int steps) {
  return seconds_of([&] {
    for (int step = 0; step < steps; ++step) {
      opt.zero_grad();
      const auto loss = torch::nn::functional::cross_entropy(net->forward(x), y);
      loss.backward();
      opt.step();
    }
  });
}

const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);

// P1 with tensors (LibTorch has no scalar nodes): the twin of both P1 rows.
void p1() {
  constexpr int kSteps = 20'000;
  auto W = torch::tensor({0.1, 0.2, 0.3, 0.4}, f64).reshape({2, 2}).requires_grad_();
  auto u = torch::tensor({0.5, 0.6}, f64).reshape({1, 2}).requires_grad_();
  const auto x = torch::tensor({1.0, 0.5}, f64).reshape({2, 1});
  const auto y = torch::tensor({1.0}, f64).reshape({1, 1});
  const double s = seconds_of([&] {
    for (int step = 0; step < kSteps; ++step) {
      const auto c = torch::sigmoid(torch::mm(u, torch::sigmoid(torch::mm(W, x))));
      const auto loss = torch::binary_cross_entropy(c, y);
      W.mutable_grad() = torch::Tensor();
      u.mutable_grad() = torch::Tensor();
      loss.backward();
      torch::NoGradGuard no_grad;
      W.sub_(0.1 * W.grad());
      u.sub_(0.1 * u.grad());
    }
  });
  std::printf("p1 %.3f us/step\n", s / kSteps * 1e6);
}

void p2() {
  constexpr int kSteps = 500;
  const std::int64_t sizes[] = {2, 16, 16, 1};
  bench::Lcg lcg;
  std::vector<torch::Tensor> weights, biases;
  for (int l = 0; l < 3; ++l) {
    std::vector<double> w;
    for (std::int64_t i = 0; i < sizes[l + 1] * sizes[l]; ++i) w.push_back(lcg.next());
    weights.push_back(torch::tensor(w, f64).reshape({sizes[l + 1], sizes[l]}).requires_grad_());
    biases.push_back(torch::zeros({sizes[l + 1]}, f64).requires_grad_());
  }
  std::vector<double> xs, ys;
  bench::moons(xs, ys);
  const auto x = torch::tensor(xs, f64).reshape({100, 2});
  const auto y = torch::tensor(ys, f64).reshape({100, 1});
  const double s = seconds_of([&] {
    for (int step = 0; step < kSteps; ++step) {
      auto h = x;
      for (int l = 0; l < 3; ++l) {
        h = torch::nn::functional::linear(h, weights[l], biases[l]);
        if (l < 2) h = torch::relu(h);
      }
      auto reg = torch::zeros({}, f64);
      for (int l = 0; l < 3; ++l)
        reg = reg + (weights[l] * weights[l]).sum() + (biases[l] * biases[l]).sum();
      const auto loss = torch::relu(1.0 - y * h).mean() + 1e-4 * reg;
      for (int l = 0; l < 3; ++l) {
        weights[l].mutable_grad() = torch::Tensor();
        biases[l].mutable_grad() = torch::Tensor();
      }
      loss.backward();
      torch::NoGradGuard no_grad;
      for (int l = 0; l < 3; ++l) {
        weights[l].sub_(0.05 * weights[l].grad());
        biases[l].sub_(0.05 * biases[l].grad());
      }
    }
  });
  std::printf("p2-tensor %.3f us/step\n", s / kSteps * 1e6);
}

// ms/step of P3 with LibTorch's intra-op threads and OpenBLAS's set apart.
double p3_ms(int torch_threads, int blas_threads) {
  constexpr int kSteps = 300;
  torch::set_num_threads(torch_threads);
  openblas_set_num_threads(blas_threads);
  torch::manual_seed(1);
  torch::nn::Sequential net(torch::nn::Linear(784, 512), torch::nn::ReLU(),
                            torch::nn::Linear(512, 256), torch::nn::ReLU(),
                            torch::nn::Linear(256, 10));
  const auto x = torch::randn({128, 784});
  const auto y = torch::arange(128, torch::kLong) * 7 % 10;
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(1e-3));
  return time_training(net, adam, x, y, kSteps) / kSteps * 1e3;
}

// 1 thread: both pools at 1. 2 threads: the best of the three 2-core
// settings, as the anchor ("LibTorch's best 2-core setting").
void p3(int threads) {
  if (threads == 1) {
    std::printf("p3-1t %.3f ms/step\n", p3_ms(1, 1));
  } else {
    const double settings[3] = {p3_ms(2, 1), p3_ms(1, 2), p3_ms(2, 2)};
    const char* names[3] = {"torch 2 / OpenBLAS 1", "torch 1 / OpenBLAS 2", "2 / 2"};
    const int best = static_cast<int>(std::min_element(settings, settings + 3) - settings);
    std::printf("p3-2t %.3f ms/step (best 2-core setting: %s)\n", settings[best], names[best]);
  }
  std::printf("p3-%dt-rss %.1f MiB\n", threads, peak_rss_mib());
}

void p4() {
  constexpr int kSteps = 2000;
  set_threads(1);
  torch::manual_seed(1);
  auto x = torch::zeros({32, 5000});
  const auto ids = torch::randint(5000, {32, 20}, torch::kLong);
  x.scatter_(1, ids, torch::randint(1, 4, {32, 20}).to(torch::kFloat32));
  const auto y = torch::arange(32, torch::kLong) % 3;
  torch::nn::Sequential net(torch::nn::Linear(5000, 64), torch::nn::Tanh(),
                            torch::nn::Linear(64, 3));
  torch::optim::SGD sgd(net->parameters(), torch::optim::SGDOptions(0.1));
  std::printf("p4 %.2f us/step\n", time_training(net, sgd, x, y, kSteps) / kSteps * 1e6);
}

void p5() {
  set_threads(1);
  auto size = [](torch::Dtype dtype, std::int64_t n, const char* name) {
    const auto a = torch::randn({n, n}, dtype), b = torch::randn({n, n}, dtype);
    const int reps = n <= 256 ? 40 : n <= 512 ? 6 : 1;
    double best = 1e9;
    for (int round = 0; round < 7; ++round) {
      best = std::min(best, seconds_of([&] {
                        torch::NoGradGuard no_grad;
                        for (int r = 0; r < reps; ++r) (void)torch::mm(a, b);
                      }));
    }
    std::printf("p5-%s %.1f GFLOP/s\n", name, 2.0 * n * n * n * reps / best * 1e-9);
  };
  size(torch::kFloat32, 256, "sgemm256");
  size(torch::kFloat32, 512, "sgemm512");
  size(torch::kFloat32, 1024, "sgemm1024");
  size(torch::kFloat64, 512, "dgemm512");
}

void p6() {
  auto x = torch::ones({}, f64).requires_grad_();
  const double s = seconds_of([&] {
    auto y = x;
    for (int i = 0; i < 1'000'000; ++i) y = y * 1.0000001 + 1e-7;
    y.backward();
  });
  std::printf("p6 %.4f s gradient %.12f\n", s, x.grad().item<double>());
  std::printf("p6-rss %.1f MiB\n", peak_rss_mib());
}

// P7 and P8 as a LibTorch user writes them: the same batch, Adam on every
// parameter, one thread.
template <class Logits>
void time_sst(const char* name, std::vector<torch::Tensor> params, const torch::Tensor& labels,
              Logits logits) {
  constexpr int kSteps = 100;
  torch::optim::Adam adam(params, torch::optim::AdamOptions(1e-3));
  const double s = seconds_of([&] {
    for (int step = 0; step < kSteps; ++step) {
      adam.zero_grad();
      const auto loss = torch::nn::functional::cross_entropy(logits(), labels);
      loss.backward();
      adam.step();
    }
  });
  std::printf("%s %.3f ms/step\n", name, s / kSteps * 1e3);
}

struct Sst {
  torch::Tensor ids, lengths, labels;
  std::int64_t vocabulary;
};
Sst sst_tensors() {
  const bench::SstBatch b = bench::sst_batch(AG_SST_DIR "/stsa.binary.train");
  const auto i64 = torch::TensorOptions().dtype(torch::kLong);
  return {torch::tensor(b.ids, i64).view({b.rows, b.longest}), torch::tensor(b.lengths, i64),
          torch::tensor(b.labels, i64), b.vocabulary};
}

std::vector<torch::Tensor> parameters_of(std::initializer_list<torch::nn::Module*> modules) {
  std::vector<torch::Tensor> out;
  for (auto* m : modules)
    for (auto& p : m->parameters()) out.push_back(p);
  return out;
}

// P7: torch::nn::LSTM over a packed batch (pack_padded_sequence).
void p7() {
  set_threads(1);
  torch::manual_seed(1);
  const Sst b = sst_tensors();
  torch::nn::Embedding embed(torch::nn::EmbeddingOptions(b.vocabulary, 64).padding_idx(0));
  torch::nn::LSTM lstm(torch::nn::LSTMOptions(64, 128).batch_first(true));
  torch::nn::Linear out(128, 2);
  time_sst("p7", parameters_of({embed.get(), lstm.get(), out.get()}), b.labels, [&] {
    const auto packed = torch::nn::utils::rnn::pack_padded_sequence(
        embed(b.ids), b.lengths, /*batch_first=*/true, /*enforce_sorted=*/false);
    const auto h_n = std::get<0>(std::get<1>(lstm->forward_with_packed_input(packed)));
    return out(h_n[0]);
  });
}

// P8: Kim's CNN with torch::nn::Conv1d.
void p8() {
  set_threads(1);
  torch::manual_seed(1);
  const Sst b = sst_tensors();
  torch::nn::Embedding embed(torch::nn::EmbeddingOptions(b.vocabulary, 128).padding_idx(0));
  torch::nn::Conv1d c3(torch::nn::Conv1dOptions(128, 100, 3)),
      c4(torch::nn::Conv1dOptions(128, 100, 4)), c5(torch::nn::Conv1dOptions(128, 100, 5));
  torch::nn::Dropout dropout(0.5);
  torch::nn::Linear out(300, 2);
  time_sst("p8", parameters_of({embed.get(), c3.get(), c4.get(), c5.get(), out.get()}), b.labels,
           [&] {
             const auto channels = embed(b.ids).transpose(1, 2);
             std::vector<torch::Tensor> maps;
             for (auto* conv : {&c3, &c4, &c5}) {
               maps.push_back(std::get<0>(torch::relu((*conv)(channels)).max(2)));
             }
             return out(dropout(torch::cat(maps, 1)));
           });
}

}  // namespace

int main(int argc, char** argv) {
  const std::string which = argc > 1 ? argv[1] : "";
  if (which == "p1-scalar" || which == "p1-tensor") {
    p1();
  } else if (which == "p2-tensor") {
    p2();
  } else if (which == "p3-1t") {
    p3(1);
  } else if (which == "p3-2t") {
    p3(2);
  } else if (which == "p4") {
    p4();
  } else if (which == "p5") {
    p5();
  } else if (which == "p6") {
    p6();
  } else if (which == "p7") {
    p7();
  } else if (which == "p8") {
    p8();
  } else if (which == "p2-scalar") {
    return 0;  // no scalar-node twin: P2's LibTorch anchor is the tensor version
  } else {
    std::fprintf(stderr,
                 "usage: torch_workloads p1-tensor | p2-tensor | p3-1t | p3-2t | p4 | p5 | p6 | p7 "
                 "| p8\n");
    return 2;
  }
  return 0;
}

// SPDX-License-Identifier: MIT
// The performance issues' workloads P1-P8, as defined there, each run once
// per invocation and printing result lines "name value unit"; scripts/bench
// runs them interleaved, several rounds, and reports medians. GEMM rates
// are also given as a share of this core's FMA peak and P3 as a multiple of
// its GEMM floor, both measured in the same process (host_limits.hpp);
// `host` prints the limits alone. Usage: workloads p1-scalar | ... | p8 | host.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "autograd/nn/nn.hpp"
#include "autograd/node_pool.hpp"
#include "bench_util.hpp"
#include "gemm_rates.hpp"
#include "host_limits.hpp"
#include "sst_batch.hpp"

namespace {

using bench::seconds_of;

// Seconds for `steps` full-batch steps of softmax cross-entropy on (x, y); the
// last step's loss in *last_loss when given.
template <class Optimizer>
double time_training(ag::nn::Module& net, Optimizer& opt, const ag::Tensor& x, const ag::Tensor& y,
                     int steps, double* last_loss = nullptr) {
  return seconds_of([&] {
    for (int step = 0; step < steps; ++step) {
      opt.zero_grad();
      const ag::Tensor loss = ag::nn::cross_entropy(net.forward(x), y);
      loss.backward();
      opt.step();
      if (last_loss && step == steps - 1) *last_loss = loss.item();
    }
  });
}

// P1: the 2-2-1 network, one SGD step (forward + backward + update) repeated.
void p1_scalar() {
  constexpr int kSteps = 100'000;
  ag::Scalar w[2][2] = {{0.1, 0.2}, {0.3, 0.4}}, u[2] = {0.5, 0.6};
  const double x1 = 1.0, x2 = 0.5;
  const double s = seconds_of([&] {
    for (int step = 0; step < kSteps; ++step) {
      const ag::Scalar a1 = (w[0][0] * x1 + w[0][1] * x2).sigmoid();
      const ag::Scalar a2 = (w[1][0] * x1 + w[1][1] * x2).sigmoid();
      const ag::Scalar loss = -(u[0] * a1 + u[1] * a2).sigmoid().log();
      for (auto& row : w)
        for (auto& v : row) v.set_grad(0.0);
      for (auto& v : u) v.set_grad(0.0);
      loss.backward();
      for (auto& row : w)
        for (auto& v : row) v.set_value(v.value() - 0.1 * v.grad());
      for (auto& v : u) v.set_value(v.value() - 0.1 * v.grad());
    }
  });
  fmt::print("p1-scalar {:.3f} us/step\n", s / kSteps * 1e6);
}

void p1_tensor() {
  constexpr int kSteps = 20'000;
  ag::Tensor W = ag::Tensor::from({{0.1, 0.2}, {0.3, 0.4}}).requires_grad_();
  ag::Tensor u = ag::Tensor::from({{0.5, 0.6}}).requires_grad_();
  const ag::Tensor x = ag::Tensor::from({{1.0}, {0.5}});
  const ag::Tensor y = ag::Tensor::from({{1.0}});
  const double s = seconds_of([&] {
    for (int step = 0; step < kSteps; ++step) {
      const ag::Tensor c = ag::sigmoid(ag::matmul(u, ag::sigmoid(ag::matmul(W, x))));
      const ag::Tensor loss = ag::nn::binary_cross_entropy(c, y);
      W.zero_grad();
      u.zero_grad();
      loss.backward();
      ag::NoGradGuard no_grad;
      W.assign(W - 0.1 * W.grad());
      u.assign(u - 0.1 * u.grad());
    }
  });
  fmt::print("p1-tensor {:.3f} us/step\n", s / kSteps * 1e6);
}

// P2: micrograd's demo. Weights from the LCG (bench_util.hpp) in micrograd's order.
using bench::Lcg;
using bench::moons;

void p2_scalar() {
  constexpr int kSteps = 20;
  const int sizes[] = {2, 16, 16, 1};
  Lcg lcg;
  std::vector<std::vector<std::vector<ag::Scalar>>> W(3);  // layer, neuron, inputs (+ bias last)
  for (int l = 0; l < 3; ++l) {
    for (int n = 0; n < sizes[l + 1]; ++n) {
      std::vector<ag::Scalar> neuron;
      for (int i = 0; i < sizes[l]; ++i) neuron.emplace_back(lcg.next());
      neuron.emplace_back(0.0);
      W[l].push_back(neuron);
    }
  }
  std::vector<double> xs, ys;
  moons(xs, ys);
  auto loss_of = [&] {
    ag::Scalar loss = 0.0;
    for (int k = 0; k < 100; ++k) {
      std::vector<ag::Scalar> act = {ag::Scalar(xs[2 * k]), ag::Scalar(xs[2 * k + 1])};
      for (int l = 0; l < 3; ++l) {
        std::vector<ag::Scalar> next;
        for (const auto& neuron : W[l]) {
          ag::Scalar z = neuron.back();
          for (std::size_t i = 0; i < act.size(); ++i) z = z + neuron[i] * act[i];
          next.push_back(l < 2 ? z.relu() : z);
        }
        act = std::move(next);
      }
      loss = loss + (1.0 - ys[k] * act[0]).relu();
    }
    ag::Scalar reg = 0.0;
    for (auto& layer : W)
      for (auto& neuron : layer)
        for (auto& p : neuron) reg = reg + p * p;
    return loss / 100.0 + 1e-4 * reg;
  };
  // The graph's size, counted once outside the timed steps.
  const std::size_t nodes = ag::detail::topological_order(loss_of().node()).size();
  const double s = seconds_of([&] {
    for (int step = 0; step < kSteps; ++step) {
      const ag::Scalar total = loss_of();
      for (auto& layer : W)
        for (auto& neuron : layer)
          for (auto& p : neuron) p.set_grad(0.0);
      total.backward();
      for (auto& layer : W)
        for (auto& neuron : layer)
          for (auto& p : neuron) p.set_value(p.value() - 0.05 * p.grad());
    }
  });
  fmt::print("p2-scalar {:.3f} ms/step\n", s / kSteps * 1e3);
  fmt::print("p2-node {:.2f} ns/node ({} nodes per step)\n",
             s / kSteps / static_cast<double>(nodes) * 1e9, nodes);
}

void p2_tensor() {
  constexpr int kSteps = 500;
  const std::int64_t sizes[] = {2, 16, 16, 1};
  Lcg lcg;
  std::vector<ag::Tensor> weights, biases;
  for (int l = 0; l < 3; ++l) {
    std::vector<double> w;
    for (std::int64_t n = 0; n < sizes[l + 1]; ++n) {
      for (std::int64_t i = 0; i < sizes[l]; ++i) w.push_back(lcg.next());
    }
    weights.push_back(ag::Tensor::from(w, {sizes[l + 1], sizes[l]}).requires_grad_());
    biases.push_back(ag::zeros({sizes[l + 1]}, ag::DType::float64).requires_grad_());
  }
  std::vector<double> xs, ys;
  moons(xs, ys);
  const ag::Tensor x = ag::Tensor::from(xs, {100, 2}), y = ag::Tensor::from(ys, {100, 1});
  const double s = seconds_of([&] {
    for (int step = 0; step < kSteps; ++step) {
      ag::Tensor h = x;
      for (int l = 0; l < 3; ++l) {
        h = ag::linear(h, weights[l], biases[l]);
        if (l < 2) h = ag::relu(h);
      }
      ag::Tensor reg = ag::zeros({}, ag::DType::float64);
      for (int l = 0; l < 3; ++l) {
        reg = reg + ag::sum(weights[l] * weights[l]) + ag::sum(biases[l] * biases[l]);
      }
      const ag::Tensor loss = ag::mean(ag::relu(1.0 - y * h)) + 1e-4 * reg;
      for (int l = 0; l < 3; ++l) {
        weights[l].zero_grad();
        biases[l].zero_grad();
      }
      loss.backward();
      ag::NoGradGuard no_grad;
      for (int l = 0; l < 3; ++l) {
        weights[l].assign(weights[l] - 0.05 * weights[l].grad());
        biases[l].assign(biases[l] - 0.05 * biases[l].grad());
      }
    }
  });
  fmt::print("p2-tensor {:.3f} us/step\n", s / kSteps * 1e6);
}

// P3: 784-512-256-10 ReLU MLP, batch 128, float32, softmax cross-entropy,
// Adam lr 1e-3 on one fixed random batch, 300 steps.
void p3(int threads) {
  constexpr int kSteps = 300;
  ag::set_num_threads(threads);
  ag::Generator gen(1);
  auto net = ag::nn::MLP({784, 512, 256, 10}, "relu", "identity", true, ag::DType::float32, gen);
  const ag::Tensor x = ag::randn({128, 784}, gen);
  std::vector<std::int64_t> labels(128);
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::int64_t>(i * 7 % 10);
  const ag::Tensor y = ag::index_tensor(labels);
  ag::optim::Adam adam(net->parameters(), {.lr = 1e-3});
  double loss_value = 0;
  const double first = time_training(*net, adam, x, y, 1);
  const double s = first + time_training(*net, adam, x, y, kSteps - 1, &loss_value);
  fmt::print("p3-{}t {:.3f} ms/step (final loss {:.4f}; first step {:.2f} ms)\n", threads,
             s / kSteps * 1e3, loss_value, first * 1e3);
  // The GEMM floor: forward and weight gradients of the three layers, input
  // gradients of the last two (the batch is a leaf), at `threads` x the peak.
  const double macs =
      128.0 * (784 * 512 + 512 * 256 + 256 * 10) * 2 + 128.0 * (512 * 256 + 256 * 10);
  const double floor = 2 * macs / (bench::measure_fma_peak().best() * 1e9 * threads);
  fmt::print("p3-{}t-vs-floor {:.2f} x (GEMM floor {:.3f} ms/step at {} x this core's FMA peak)\n",
             threads, s / kSteps / floor, floor * 1e3, threads);
  // The rest of the step: 7 rounds, each timing 30 steps, then the same
  // products alone (p3_products), interleaved so that both see the same load;
  // with more threads, 30 steps at one thread too (the goal is a ratio).
  const std::function<void()> products = bench::p3_products();
  products();  // the first use compiles oneDNN's kernels
  std::vector<double> steps, rest, alone, versus_one;
  for (int round = 0; round < 7; ++round) {
    const double step = steps.emplace_back(time_training(*net, adam, x, y, 30) / 30);
    alone.push_back(bench::seconds_of([&] {
                      for (int r = 0; r < 30; ++r) products();
                    }) /
                    30);
    rest.push_back(step - alone.back());
    if (threads > 1) {
      ag::set_num_threads(1);
      versus_one.push_back(step / (time_training(*net, adam, x, y, 30) / 30));
      ag::set_num_threads(threads);
    }
  }
  if (threads > 1) {
    const auto [median, least, most] = bench::median_min_max(versus_one);
    fmt::print("p3-{}t-vs-1t {:.2f} x ({:.2f}-{:.2f}; the step at 1 thread in the same rounds)\n",
               threads, median, least, most);
  }
  const auto [steady, steady_min, steady_max] = bench::median_min_max(steps);
  fmt::print("p3-{}t-steady {:.3f} ms/step, {:.2f} x the floor ({:.2f}-{:.2f}; the rounds)\n",
             threads, steady * 1e3, steady / floor, steady_min / floor, steady_max / floor);
  const auto [rest_median, rest_min, rest_max] = bench::median_min_max(rest);
  const double alone_median = bench::median_min_max(alone).median;
  fmt::print("p3-{}t-products {:.3f} ms/step ({:.2f} x the floor; the step's 8 products alone)\n",
             threads, alone_median * 1e3, alone_median / floor);
  fmt::print(
      "p3-{}t-rest {:.2f} x the floor ({:.2f}-{:.2f}; {:.3f} ms/step: the step without its "
      "products)\n",
      threads, rest_median / floor, rest_min / floor, rest_max / floor, rest_median * 1e3);
  fmt::print("p3-{}t-rss {:.1f} MiB\n", threads, bench::peak_rss_mib());
}

// P4: a dense bag-of-words batch (32 x 5000, 20 word ids per row with counts
// 1-3), 64 tanh hidden units, 3 classes, softmax cross-entropy, SGD lr 0.1.
void p4() {
  constexpr int kSteps = 2000;
  ag::set_num_threads(1);
  ag::Generator gen(1);
  std::vector<float> counts(32 * 5000, 0.0f);
  for (std::size_t row = 0; row < 32; ++row) {
    for (int word = 0; word < 20; ++word) {
      const auto id = static_cast<std::size_t>(gen.next_u64() % 5000);
      counts[row * 5000 + id] = static_cast<float>(1 + gen.next_u64() % 3);
    }
  }
  const ag::Tensor x = ag::Tensor::from(counts, {32, 5000});
  std::vector<std::int64_t> labels(32);
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::int64_t>(i % 3);
  const ag::Tensor y = ag::index_tensor(labels);
  auto net = ag::nn::MLP({5000, 64, 3}, "tanh", "identity", true, ag::DType::float32, gen);
  ag::optim::SGD sgd(net->parameters(), {.lr = 0.1});
  fmt::print("p4 {:.2f} us/step\n", time_training(*net, sgd, x, y, kSteps) / kSteps * 1e6);
}

// P6: x = x*1.0000001 + 1e-7, 1,000,000 times (2,000,000 ops), then backward.
void p6() {
  ag::Scalar x = 1.0;
  const double s = seconds_of([&] {
    ag::Scalar y = x;
    for (int i = 0; i < 1'000'000; ++i) y = y * 1.0000001 + 1e-7;
    y.backward();
  });
  const double want = std::pow(1.0000001, 1e6);
  fmt::print("p6 {:.4f} s gradient {:.12f} (expected {:.12f})\n", s, x.grad(), want);
  fmt::print("p6-rss {:.1f} MiB\n", bench::peak_rss_mib());
  // A spinning BLAS pool would show here; the node pool's prefault thread has the next line.
  const ag::detail::PrefaultStats ahead = ag::detail::node_pool_prefault_stats();
  fmt::print("p6-other-threads-cpu {:.4f} s\n", bench::other_threads_cpu_s() - ahead.cpu_seconds);
  fmt::print("p6-prefault-cpu {:.4f} s (that thread; it wrote {} of the {} slabs ahead)\n",
             ahead.cpu_seconds, ahead.slabs_prefaulted, ahead.slabs_taken);
  const bench::PageCosts pages = bench::measure_page_costs();
  fmt::print("p6-page-fault {:.3f} us/page\n", pages.fault_us);
  fmt::print("p6-page-populate {:.3f} us/page\n", pages.populate_us);
  if (std::fabs(x.grad() - want) > 1e-9 * want) std::exit(1);
}

// P7 and P8: training steps on 32 real SST sentences of their own lengths
// (sst_batch.hpp), Adam on every parameter, one thread.
struct SstBatch {
  ag::Tensor ids, lengths, labels;
  std::int64_t vocabulary;
};

SstBatch sst_tensors() {
  const bench::SstBatch b = bench::sst_batch(AG_SST_DIR "/stsa.binary.train");
  return {ag::Tensor::from(b.ids, {b.rows, b.longest}), ag::Tensor::from(b.lengths, {b.rows}),
          ag::Tensor::from(b.labels, {b.rows}), b.vocabulary};
}

template <class Logits>
void time_sst(const char* name, ag::nn::Module& model, const SstBatch& b, Logits logits) {
  constexpr int kSteps = 100;
  ag::optim::Adam adam(model.parameters(), {.lr = 1e-3});
  double loss_value = 0;
  const double s = seconds_of([&] {
    for (int step = 0; step < kSteps; ++step) {
      adam.zero_grad();
      const ag::Tensor loss = ag::nn::cross_entropy(logits(), b.labels);
      loss.backward();
      adam.step();
      if (step == kSteps - 1) loss_value = loss.item();
    }
  });
  fmt::print("{} {:.3f} ms/step (final loss {:.4f})\n", name, s / kSteps * 1e3, loss_value);
}

// P7: a 1-layer LSTM sentence classifier (embedding 64, hidden 128, 2
// classes) over the packed batch, classifying the final states.
void p7() {
  ag::set_num_threads(1);
  ag::manual_seed(1);
  const SstBatch b = sst_tensors();
  const ag::nn::RecurrentOptions options{.batch_first = true};
  ag::nn::Sequential model;  // holds the parameters, named as a LibTorch user would
  auto embed = std::make_shared<ag::nn::Embedding>(b.vocabulary, 64, 0);
  auto lstm = std::make_shared<ag::nn::LSTM>(64, 128, options);
  auto out = std::make_shared<ag::nn::Linear>(128, 2);
  for (auto m : std::vector<std::shared_ptr<ag::nn::Module>>{embed, lstm, out}) model.push_back(m);
  time_sst("p7", model, b,
           [&] { return (*out)(ag::select(lstm->run((*embed)(b.ids), b.lengths).h_n, 0, 0)); });
}

// P8: Kim's CNN (embedding 128, widths 3, 4, 5 with 100 maps each, relu,
// max over time, dropout 0.5, 2 classes) on the same batch, padded.
void p8() {
  ag::set_num_threads(1);
  ag::manual_seed(1);
  const SstBatch b = sst_tensors();
  ag::nn::Sequential model;
  auto embed = std::make_shared<ag::nn::Embedding>(b.vocabulary, 128, 0);
  model.push_back(embed);
  std::vector<std::shared_ptr<ag::nn::Conv1d>> convs;
  for (std::int64_t width : {3, 4, 5}) {
    convs.push_back(std::make_shared<ag::nn::Conv1d>(128, 100, width));
    model.push_back(convs.back());
  }
  auto out = std::make_shared<ag::nn::Linear>(300, 2);
  model.push_back(out);
  ag::nn::Dropout dropout(0.5);
  time_sst("p8", model, b, [&] {
    const ag::Tensor channels = ag::transpose((*embed)(b.ids), 1, 2);
    std::vector<ag::Tensor> maps;
    for (auto& conv : convs) maps.push_back(ag::max(ag::relu((*conv)(channels)), 2).values);
    return (*out)(dropout(ag::cat(maps, 1)));
  });
}

}  // namespace

int main(int argc, char** argv) {
  const std::string which = argc > 1 ? argv[1] : "";
  if (which == "p1-scalar")
    p1_scalar();
  else if (which == "p1-tensor")
    p1_tensor();
  else if (which == "p2-scalar")
    p2_scalar();
  else if (which == "p2-tensor")
    p2_tensor();
  else if (which == "p3-1t")
    p3(1);
  else if (which == "p3-2t")
    p3(2);
  else if (which == "p4")
    p4();
  else if (which == "p5")
    bench::p5();
  else if (which == "p6")
    p6();
  else if (which == "p7")
    p7();
  else if (which == "p8")
    p8();
  else if (which == "host")
    bench::host();
  else {
    fmt::print(
        stderr,
        "usage: workloads p1-scalar | p1-tensor | p2-scalar | p2-tensor | p3-1t | p3-2t | p4 | "
        "p5 | p6 | p7 | p8 | host\n");
    return 2;
  }
  return 0;
}

// The performance issue's workloads P1, P2 and P6, as defined there, each
// run once per invocation and printing one result line; scripts/bench runs
// them interleaved, several rounds, and reports medians. Usage:
//   workloads p1-scalar | p1-tensor | p2-scalar | p2-tensor | p6
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <numbers>
#include <string>
#include <vector>

#include "nn/nn.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_of(const std::function<void()>& body) {
  const auto start = Clock::now();
  body();
  return std::chrono::duration<double>(Clock::now() - start).count();
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

// P2: micrograd's demo. Weights from a 64-bit LCG in micrograd's order.
struct Lcg {
  std::uint64_t s = 42;
  double next() {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    return 2.0 * static_cast<double>(s >> 11) * 0x1.0p-53 - 1.0;
  }
};

void moons(std::vector<double>& xs, std::vector<double>& ys) {
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
  std::size_t nodes = 0;
  const double s = seconds_of([&] {
    for (int step = 0; step < kSteps; ++step) {
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
      ag::Scalar total = loss / 100.0 + 1e-4 * reg;
      nodes = ag::detail::topological_order(total.node()).size();
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
  if (std::fabs(x.grad() - want) > 1e-9 * want) std::exit(1);
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
  else if (which == "p6")
    p6();
  else {
    fmt::print(stderr, "usage: workloads p1-scalar | p1-tensor | p2-scalar | p2-tensor | p6\n");
    return 2;
  }
  return 0;
}

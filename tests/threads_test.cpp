// SPDX-License-Identifier: MIT
// Separate graphs on separate threads: two models trained at once must give,
// bit for bit, what each gives trained alone. Also run under ThreadSanitizer
// by scripts/tsan (docs/reliability.md, "Threads").
#include <doctest/doctest.h>

#include <thread>

#include "autograd/autograd.hpp"
#include "autograd/nn/nn.hpp"

using namespace ag;

namespace {

struct Outcome {
  std::vector<double> losses;
  std::vector<double> weights;
  double scalar_grad = 0;
  std::string dot;
};

// A dense MLP with Adam, a sparse embedding bag with SparseAdam, a scalar
// graph and a diagram: everything a training thread touches.
Outcome train(std::uint64_t seed) {
  Outcome out;
  Generator gen(seed);
  auto net = nn::MLP({8, 16, 3}, "tanh", "identity", true, DType::float32, gen);
  nn::EmbeddingBag bag(50, 8, nn::EmbeddingBag::Mode::mean, true, DType::float32, gen);
  optim::Adam adam(net->parameters(), {.lr = 0.01});
  optim::SparseAdam sparse_adam(bag.parameters(), {.lr = 0.01});
  const Tensor ids = index_tensor({1, 4, 9, 4, 7, 2, 30, 41, 41, 0, 5, 6}, {4, 3});
  const Tensor labels = index_tensor({0, 2, 1, 2});
  for (int step = 0; step < 60; ++step) {
    adam.zero_grad();
    sparse_adam.zero_grad();
    const Tensor loss = nn::cross_entropy(net->forward(bag.forward(ids)), labels);
    loss.backward();
    adam.step();
    sparse_adam.step();
    out.losses.push_back(loss.item());
  }
  for (const Tensor& p : net->parameters())
    for (double v : p.to_vector()) out.weights.push_back(v);

  Scalar x = static_cast<double>(seed);
  Scalar y = x;
  for (int i = 0; i < 20'000; ++i) y = tanh(y * 0.5) + x * 1e-3;
  y.backward();
  out.scalar_grad = x.grad();

  Tensor w = randn({2, 2}, gen).requires_grad_();
  w.label("w");
  out.dot = to_dot(sum(relu(matmul(w, w))));
  return out;
}

}  // namespace

TEST_CASE("two models trained on two threads match each trained alone") {
  const Outcome alone1 = train(1), alone2 = train(2);
  Outcome both1, both2;
  std::thread t1([&] { both1 = train(1); });
  std::thread t2([&] { both2 = train(2); });
  t1.join();
  t2.join();
  CHECK(both1.losses == alone1.losses);
  CHECK(both2.losses == alone2.losses);
  CHECK(both1.weights == alone1.weights);
  CHECK(both2.weights == alone2.weights);
  CHECK(both1.scalar_grad == alone1.scalar_grad);
  CHECK(both2.scalar_grad == alone2.scalar_grad);
  CHECK(both1.dot == alone1.dot);
  CHECK(alone1.losses.back() < alone1.losses.front());
  CHECK(alone1.losses != alone2.losses);
}

TEST_CASE("gradient mode is per thread") {
  Tensor w = ones({2}).requires_grad_();
  bool other_thread_records = false;
  NoGradGuard off;
  std::thread([&] { other_thread_records = (w * 2.0).requires_grad(); }).join();
  CHECK(other_thread_records);
  CHECK_FALSE((w * 2.0).requires_grad());
}

TEST_CASE("a model built on one thread trains on another") {
  Generator gen(3);
  auto net = nn::MLP({4, 8, 1}, "relu", "identity", true, DType::float32, gen);
  const Tensor x = randn({16, 4}, gen), y = randn({16, 1}, gen);
  optim::SGD sgd(net->parameters(), {.lr = 0.05});
  double first = 0, last = 0;
  std::thread([&] {
    for (int step = 0; step < 50; ++step) {
      sgd.zero_grad();
      const Tensor loss = nn::mse_loss(net->forward(x), y);
      loss.backward();
      sgd.step();
      (step == 0 ? first : last) = loss.item();
    }
  }).join();
  CHECK(last < first);
  const Tensor loss = nn::mse_loss(net->forward(x), y);  // and back on this one
  CHECK(loss.item() < first);
}

// SPDX-License-Identifier: MIT
// end to end: small models train, the lecture's network with layers.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>

#include "autograd/nn/nn.hpp"

using namespace ag;
using Args = std::vector<Tensor>;

namespace {

// XOR with a 2-2-1 sigmoid network; returns the final loss. A 2-2-1 net has
// plateaus (loss ln2/2 or ~0.48, one or two points at 0.5) that some
// initialisations fall into; seed 10 is one where every optimizer below
// escapes them (of seeds 1-40, 5 work for all; the rest strand at least one).
double train_xor(const std::function<std::unique_ptr<optim::Optimizer>(std::vector<Tensor>)>& make,
                 int epochs) {
  manual_seed(10);
  auto net = nn::MLP({2, 2, 1}, "sigmoid", "sigmoid", true, DType::float64);
  const Tensor x = Tensor::from({{0.0, 0.0}, {0.0, 1.0}, {1.0, 0.0}, {1.0, 1.0}});
  const Tensor y = Tensor::from({{0.0}, {1.0}, {1.0}, {0.0}});
  auto opt = make(net->parameters());
  double loss_value = 0;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    opt->zero_grad();
    const Tensor loss = nn::binary_cross_entropy((*net)(x), y);
    loss.backward();
    opt->step();
    loss_value = loss.item();
  }
  return loss_value;
}

}  // namespace

TEST_CASE("training: XOR: a 2-2-1 sigmoid network learns it with every optimizer") {
  using P = std::vector<Tensor>;
  CHECK(train_xor(
            [](P p) {
              return std::make_unique<optim::SGD>(p, optim::SGDOptions{.lr = 5.0, .momentum = 0.9});
            },
            3000) < 0.05);
  CHECK(train_xor(
            [](P p) {
              return std::make_unique<optim::SGD>(
                  p, optim::SGDOptions{.lr = 2.0, .momentum = 0.9, .nesterov = true});
            },
            3000) < 0.05);
  CHECK(
      train_xor([](P p) { return std::make_unique<optim::Adam>(p, optim::AdamOptions{.lr = 0.1}); },
                3000) < 0.05);
  CHECK(train_xor(
            [](P p) {
              return std::make_unique<optim::AdamW>(
                  p, optim::AdamOptions{.lr = 0.1, .weight_decay = 1e-4});
            },
            3000) < 0.05);
  CHECK(train_xor(
            [](P p) {
              return std::make_unique<optim::RMSprop>(p, optim::RMSpropOptions{.lr = 0.05});
            },
            3000) < 0.05);
  CHECK(
      train_xor(
          [](P p) { return std::make_unique<optim::Adagrad>(p, optim::AdagradOptions{.lr = 1.0}); },
          3000) < 0.05);
  CHECK(train_xor(
            [](P p) {
              return std::make_unique<optim::Adadelta>(p, optim::AdadeltaOptions{.lr = 10.0});
            },
            3000) < 0.05);
}

TEST_CASE("training: two moons: an MLP reaches 100% training accuracy") {
  std::vector<double> points, labels;
  for (int k = 0; k < 100; ++k) {
    const double t = std::numbers::pi * (k / 2) / 49.0;
    const bool odd = k % 2;
    points.push_back(odd ? 1 - std::cos(t) : std::cos(t));
    points.push_back(odd ? 0.5 - std::sin(t) : std::sin(t));
    labels.push_back(odd ? 1.0 : 0.0);
  }
  const Tensor x = Tensor::from(points, {100, 2}), y = Tensor::from(labels, {100, 1});
  manual_seed(7);
  auto net = nn::MLP({2, 16, 16, 1}, "relu", "identity", true, DType::float64);
  optim::Adam opt(net->parameters(), {.lr = 0.02});
  for (int epoch = 0; epoch < 500; ++epoch) {
    opt.zero_grad();
    nn::binary_cross_entropy_with_logits((*net)(x), y).backward();
    opt.step();
  }
  const auto scores = (*net)(x).to_vector();
  int correct = 0;
  for (int i = 0; i < 100; ++i) correct += (scores[i] > 0) == (labels[i] > 0.5);
  CHECK(correct == 100);
}

TEST_CASE(
    "training: the lecture's 2-2-1 network with nn layers gives the scalar version's numbers") {
  nn::Linear hidden(2, 2, false, DType::float64), out(2, 1, false, DType::float64);
  hidden.weight.assign(Tensor::from({{0.1, 0.2}, {0.3, 0.4}}));
  out.weight.assign(Tensor::from({{0.5, 0.6}}));
  nn::Sequential net(std::shared_ptr<nn::Module>(&hidden, [](nn::Module*) {}), nn::Sigmoid(),
                     std::shared_ptr<nn::Module>(&out, [](nn::Module*) {}), nn::Sigmoid());
  const Tensor x = Tensor::from({{1.0, 0.5}});
  const Tensor c = net(x);
  const Tensor loss = nn::binary_cross_entropy(c, Tensor::from({{1.0}}));
  loss.backward();
  // The scalar engine's values for the same network (examples/lecture).
  Scalar w11(0.1), w12(0.2), w21(0.3), w22(0.4), u1(0.5), u2(0.6);
  const Scalar a1 = (w11 * 1.0 + w12 * 0.5).sigmoid(), a2 = (w21 * 1.0 + w22 * 0.5).sigmoid();
  const Scalar cs = (u1 * a1 + u2 * a2).sigmoid();
  Scalar ls = -cs.log();
  ls.backward();
  CHECK(c.item() == doctest::Approx(cs.value()).epsilon(1e-14));
  CHECK(loss.item() == doctest::Approx(ls.value()).epsilon(1e-14));
  CHECK(out.weight.grad().at({0, 0}) == doctest::Approx(u1.grad()).epsilon(1e-12));
  CHECK(out.weight.grad().at({0, 1}) == doctest::Approx(u2.grad()).epsilon(1e-12));
  CHECK(hidden.weight.grad().at({0, 0}) == doctest::Approx(w11.grad()).epsilon(1e-12));
  CHECK(hidden.weight.grad().at({1, 1}) == doctest::Approx(w22.grad()).epsilon(1e-12));
}

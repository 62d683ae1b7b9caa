// SPDX-License-Identifier: MIT
// XOR, the classic problem a single linear layer cannot solve: why the
// lecture says non-linear activations are necessary.
#include <fmt/format.h>

#include "autograd/nn/nn.hpp"

namespace {

const ag::Tensor kInputs = ag::Tensor::from({{0.0, 0.0}, {0.0, 1.0}, {1.0, 0.0}, {1.0, 1.0}});
const ag::Tensor kTargets = ag::Tensor::from({{0.0}, {1.0}, {1.0}, {0.0}});

// A 2-2-1 network with `hidden` activation and a sigmoid output, trained
// with Adam on the four XOR points; prints its predictions.
void train(const std::string& hidden) {
  ag::manual_seed(10);
  auto net = ag::nn::MLP({2, 2, 1}, hidden, "sigmoid", true, ag::DType::float64);
  ag::optim::Adam opt(net->parameters(), {.lr = 0.1});
  double loss = 0;
  for (int epoch = 0; epoch < 2000; ++epoch) {
    opt.zero_grad();
    const ag::Tensor l = ag::nn::binary_cross_entropy((*net)(kInputs), kTargets);
    l.backward();
    opt.step();
    loss = l.item();
  }
  const auto out = (*net)(kInputs).to_vector();
  fmt::print(
      "hidden activation {:<8}  loss {:.4f}  predictions [{:.3f}, {:.3f}, {:.3f}, {:.3f}]"
      "  (targets [0, 1, 1, 0])\n",
      hidden, loss, out[0], out[1], out[2], out[3]);
}

}  // namespace

int main() {
  fmt::print("XOR with a 2-2-1 network, 2000 Adam steps\n\n");
  train("sigmoid");
  train("identity");
  fmt::print(
      "\nWith identity activations the network cannot fit XOR (the loss stays at ln 2 = "
      "0.693):\ntwo linear layers are one linear layer. For any weights, e.g. a fresh "
      "network's:\n");
  ag::manual_seed(3);
  const auto linear = ag::nn::MLP({2, 2, 1}, "identity", "identity", true, ag::DType::float64);
  auto& first = static_cast<ag::nn::Linear&>((*linear)[0]);
  auto& second = static_cast<ag::nn::Linear&>((*linear)[1]);
  ag::NoGradGuard no_grad;
  const ag::Tensor w = ag::matmul(second.weight, first.weight);              // W' = W2 W1
  const ag::Tensor b = ag::matmul(second.weight, first.bias) + second.bias;  // b' = W2 b1 + b2
  fmt::print("  W' = W2 W1 = {}\n  b' = W2 b1 + b2 = {}\n", w, b);
  const ag::Tensor two_layers = second(first(kInputs));
  const ag::Tensor one_layer = ag::linear(kInputs, w, b);
  fmt::print("  W2 (W1 x + b1) + b2 = {}\n  W' x + b'          = {}\n", two_layers.to_vector(),
             one_layer.to_vector());
  const double gap = ag::max(ag::abs(two_layers - one_layer)).item();
  fmt::print("  largest difference: {:.1e}\n", gap);
  return gap < 1e-12 ? 0 : 1;
}

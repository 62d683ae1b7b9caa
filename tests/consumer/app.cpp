#include <autograd/autograd.hpp>

#include "nn/nn.hpp"

int main() {
  ag::Scalar x{2.0, "x"};
  auto y = (x * x + 1.0).log();
  y.backward();
  fmt::print("y = {:.4f}, dy/dx = {:.4f}\n", y.value(), x.grad());
  ag::nn::Linear layer(3, 2);
  ag::optim::SGD sgd(layer.parameters(), {.lr = 0.1});
  ag::nn::mse_loss(layer(ag::ones({4, 3})), ag::zeros({4, 2})).backward();
  sgd.step();
  fmt::print("nn: {} parameters\n", layer.num_parameters());
}

// SPDX-License-Identifier: MIT
// A program of another project, built against autograd three ways (see
// check.sh): the same includes (the umbrellas and headers of nn's folders),
// whatever the build system.
#include <autograd/autograd.hpp>
#include <autograd/nn/io/safetensors.hpp>
#include <autograd/nn/nn.hpp>
#include <autograd/nn/optim/adam.hpp>

#include <cstring>

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
  return std::strcmp(ag::version(), AG_VERSION_STRING) == 0 ? 0 : 1;  // headers match the library
}

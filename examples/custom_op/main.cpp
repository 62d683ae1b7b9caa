// SPDX-License-Identifier: MIT
// Defining a differentiable op with its own backward, and checking it.
#include <fmt/format.h>

#include <autograd/autograd.hpp>

// softsign(x) = x / (1 + |x|); d/dx = 1 / (1 + |x|)²
ag::Tensor softsign(const ag::Tensor& x) {
  return ag::custom_op(
      "softsign", {x},
      [](const std::vector<ag::Tensor>& in) { return in[0] / (1.0 + ag::abs(in[0])); },
      [](const std::vector<ag::Tensor>& in, const ag::Tensor&, const ag::Tensor& g) {
        const ag::Tensor d = 1.0 + ag::abs(in[0]);
        return std::vector<ag::Tensor>{g / (d * d)};
      });
}

int main() {
  const ag::Tensor x = ag::Tensor::from({-3.0, -0.5, 0.25, 2.0}).requires_grad_();
  const ag::Tensor y = softsign(x);
  ag::sum(y).backward();
  fmt::print("x             = {}\nsoftsign(x)   = {}\nd/dx (engine) = {}\n", x, y, x.grad());
  const ag::GradcheckResult check =
      ag::gradcheck([](const std::vector<ag::Tensor>& in) { return softsign(in[0]); }, {x});
  fmt::print("gradcheck against central differences: {} (worst |error| {:.1e})\n",
             check.ok ? "passed" : "FAILED", std::max(0.0, check.worst_error));
  // Its backward is written with tensor ops, so it differentiates again:
  const ag::Tensor g = ag::grad({ag::sum(softsign(x))}, {x}, {}, /*create_graph=*/true)[0];
  const ag::Tensor second = ag::grad({ag::sum(g)}, {x})[0];
  fmt::print("d²/dx² (engine) = {}\n", second);
  return check.ok ? 0 : 1;
}

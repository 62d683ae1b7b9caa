// SPDX-License-Identifier: MIT
// The README's tensor example: fit y = 2x - 1 with a one-layer model.
#include <autograd/autograd.hpp>
#include <iostream>

int main() {
  ag::Generator gen(0);
  const ag::Tensor x = ag::rand({64, 1}, gen, ag::DType::float64, -1, 1);
  const ag::Tensor y = 2.0 * x - 1.0;
  ag::Tensor w = ag::zeros({1, 1}, ag::DType::float64).requires_grad_();
  ag::Tensor b = ag::zeros({1}, ag::DType::float64).requires_grad_();
  for (int step = 0; step <= 100; ++step) {
    const ag::Tensor loss = ag::mean(ag::pow(ag::linear(x, w, b) - y, 2.0));
    w.zero_grad();
    b.zero_grad();
    loss.backward();
    ag::NoGradGuard no_grad;  // the update is not part of any graph
    w.assign(w - 0.1 * w.grad());
    b.assign(b - 0.1 * b.grad());
    if (step % 20 == 0) fmt::print("step {:3}  loss {:.6f}\n", step, loss.item());
  }
  fmt::print("w = {:.4f}, b = {:.4f}\n", w.item(), b.item());
  fmt::print("{}\n", ag::softmax(ag::Tensor::from({2.0, -1.99, -0.01}), 0));

  // Methods as in LibTorch, integer literals as int64, std::cout printing.
  const ag::Tensor m = ag::Tensor::from({{1.0, -2.0, 3.0}, {4.0, 5.0, -6.0}});
  std::cout << m.abs().sum(1) << "\n";
  std::cout << m.argmax(1) << "\n";
  std::cout << ag::einsum("ij,kj->ik", {m, m}) << "\n";
  std::cout << ag::Tensor::from({3, 1, 2}).sort().values << "\n";
}

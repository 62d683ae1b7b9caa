// SPDX-License-Identifier: MIT
// The README's example: one tanh neuron, its gradients, and its diagram.
#include <autograd/autograd.hpp>

int main(int argc, char** argv) {
  ag::Scalar x1{2.0, "x1"}, x2{0.0, "x2"};                   // inputs
  ag::Scalar w1{-3.0, "w1"}, w2{1.0, "w2"}, b{6.8814, "b"};  // parameters
  ag::Scalar n = (x1 * w1 + x2 * w2 + b).label("n");
  ag::Scalar o = n.tanh().label("o");
  o.backward();  // do/dv for every v in the graph
  for (const ag::Scalar& v : {x1, x2, w1, w2, b}) {
    fmt::print("do/d{} = {:+.4f}\n", v.label(), v.grad());
  }
  fmt::print("{:.4f}\n", o);
  if (argc > 1) ag::render(o, argv[1]);  // e.g. neuron.svg
}

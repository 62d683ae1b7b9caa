// SPDX-License-Identifier: MIT
// Tensor ops of ops/tensor_op.cpp (recording, accumulation) against central differences (gradcheck,
// float64) and their documented behaviour.
#include "check.hpp"

TEST_CASE("tensor_op: a weight used many times: fused in-place accumulation gives the same bits") {
  // Without create_graph, mul's backward adds g·other straight into a
  // gradient it owns alone; with it, it builds g·other and adds. Same values.
  auto grads = [](bool create_graph) {
    const Tensor w = Tensor::from({0.5, -1.25, 2.0}).requires_grad_();
    Tensor y = w;
    for (int i = 0; i < 40; ++i) y = y * w * 0.99 + 0.01;
    sum(y).backward(Tensor(), false, create_graph);
    const auto values = w.grad().to_vector();
    w.zero_grad();  // under create_graph the gradient's graph refers back to w: break the cycle
    return values;
  };
  CHECK(grads(false) == grads(true));
  // The same for the one-pass backward of tanh, sigmoid, exp and relu, in
  // both dtypes.
  for (DType dtype : {DType::float32, DType::float64}) {
    auto unary_grads = [dtype](bool create_graph) {
      const Tensor x = Tensor::from({0.5, -1.25, 2.0, 0.0}).to(dtype).requires_grad_();
      Tensor y = x;
      for (int i = 0; i < 6; ++i) y = relu(exp(sigmoid(tanh(y)) * 0.5) - 1.2) + y * 0.5;
      sum(y).backward(Tensor(), false, create_graph);
      const auto values = x.grad().to_vector();
      x.zero_grad();  // as above
      return values;
    };
    CHECK(unary_grads(false) == unary_grads(true));
  }
  // The gradient flowing back is reused in place only when nobody else holds
  // it: a grad_output the caller keeps is never written.
  const Tensor a = Tensor::from({1.0, 2.0}).requires_grad_(), b = Tensor::from({3.0, -4.0});
  const Tensor grad_output = Tensor::from({0.5, 0.25});
  (a * b).backward(grad_output, /*retain_graph=*/true);
  CHECK(grad_output.to_vector() == std::vector<double>{0.5, 0.25});
  CHECK(a.grad().to_vector() == std::vector<double>{1.5, -1.0});
  (a * b).backward(grad_output);
  CHECK(a.grad().to_vector() == std::vector<double>{3.0, -2.0});
  check(
      [](const Args& x) {
        Tensor y = x[0];
        for (int i = 0; i < 5; ++i) y = y * x[0] * x[1];
        return y;
      },
      {input({3}), input({3})});
}

TEST_CASE("tensor_op: a broadcast input's gradient is summed back to its shape") {
  const Tensor bias = Tensor::from({1.0, 2.0, 3.0}).requires_grad_();
  const Tensor x = ones({4, 3}, DType::float64);
  sum((x + bias) * 2.0).backward();
  CHECK(bias.grad().shape() == Shape{3});
  CHECK(bias.grad().to_vector() == std::vector<double>{8, 8, 8});
  const Tensor row = Tensor::from({{1.0, 2.0}}).requires_grad_();  // (1, 2) against (3, 2)
  sum(row * ones({3, 2}, DType::float64)).backward();
  CHECK(row.grad().shape() == Shape{1, 2});
  CHECK(row.grad().to_vector() == std::vector<double>{3, 3});
}

TEST_CASE("tensor_op: a custom op's gradient of the wrong shape is a ShapeError") {
  const Tensor x = Tensor::from({1.0, 2.0}).requires_grad_();
  const Tensor y = custom_op(
      "wrong", {x}, [](const Args& in) { return in[0] * 2.0; },
      [](const Args&, const Tensor&, const Tensor&) { return Args{ones({3}, DType::float64)}; });
  CHECK_THROWS_AS(sum(y).backward(), ShapeError);
}

// SPDX-License-Identifier: MIT
// User-defined ops (custom_op.cpp).
#include "ops/check.hpp"

namespace {
Tensor cube(const Tensor& x) {
  return custom_op(
      "cube", {x}, [](const Args& in) { return in[0] * in[0] * in[0]; },
      [](const Args& in, const Tensor&, const Tensor& g) { return Args{3.0 * in[0] * in[0] * g}; });
}
}  // namespace

TEST_CASE("custom_op: custom ops: gradcheck, second order, many inputs, checked results") {
  check([](const Args& x) { return cube(x[0]); }, {input({3, 2})});
  const Tensor x = Tensor::from({2.0}).requires_grad_();
  const Tensor g = grad({sum(cube(x))}, {x}, {}, true)[0];
  CHECK(grad({sum(g)}, {x})[0].item() == doctest::Approx(12.0));  // d²/dx² x³ = 6x
  auto weighted = [](const Args& in) {
    return custom_op(
        "weighted_sum", in, [](const Args& v) { return v[0] + 2.0 * v[1] + 3.0 * v[2]; },
        [](const Args&, const Tensor&, const Tensor& grad_out) {
          return Args{grad_out, 2.0 * grad_out, 3.0 * grad_out};
        });
  };
  check(weighted, {input({2}), input({2}), input({2})});
  CHECK(to_dot(sum(cube(x))).find("label=\"cube\"") != std::string::npos);
  const Tensor bad = custom_op(
      "bad", {x}, [](const Args& in) { return in[0] * 1.0; },
      [](const Args&, const Tensor&, const Tensor&) { return Args{ones({3}, DType::float64)}; });
  CHECK_THROWS_WITH(bad.backward(),
                    doctest::Contains("bad: backward returned a gradient of shape [3]"));
}

TEST_CASE("custom_op: an optional input left undefined (a tutorial's bias = torch::Tensor())") {
  // LibTorch's custom-autograd tutorial: linear(x, w, bias) with an optional bias.
  const auto linear = [](const Tensor& x, const Tensor& w, const Tensor& bias) {
    return custom_op(
        "linear_fn", {x, w, bias},
        [](const Args& in) {
          Tensor out = matmul(in[0], transpose(in[1], 0, 1));
          return in[2].defined() ? out + in[2] : out;
        },
        [](const Args& in, const Tensor&, const Tensor& g) {
          return Args{matmul(g, in[1]), matmul(transpose(g, 0, 1), in[0]),
                      in[2].defined() ? sum(g, 0) : Tensor()};
        });
  };
  const Tensor x = input({4, 3}), w = input({2, 3}), b = input({2});
  check([&](const Args& in) { return linear(in[0], in[1], Tensor()); }, {x, w});
  check([&](const Args& in) { return linear(in[0], in[1], in[2]); }, {x, w, b});
  const Tensor out = linear(x, w, Tensor());
  CHECK(out.shape() == Shape{4, 2});
  // No defined input at all names the op.
  CHECK_THROWS_WITH(custom_op(
                        "nothing", {Tensor(), Tensor()}, [](const Args&) { return ones({1}); },
                        [](const Args&, const Tensor&, const Tensor&) { return Args{}; }),
                    doctest::Contains("nothing: a custom op needs at least one defined input"));
}

TEST_CASE("custom_op: an empty forward or backward is a ValueError when called (issue #38)") {
  const Tensor x = ones({2}).requires_grad_();
  // It was std::bad_function_call, at backward time.
  CHECK_THROWS_WITH(
      custom_op(
          "twice", {x}, [](const std::vector<Tensor>& in) { return in[0] * 2; }, nullptr),
      doctest::Contains("custom_op 'twice': the backward function is empty"));
  CHECK_THROWS_AS(custom_op("none", {x}, nullptr,
                            [](const std::vector<Tensor>&, const Tensor&, const Tensor& g) {
                              return std::vector<Tensor>{g};
                            }),
                  ValueError);
}

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

// SPDX-License-Identifier: MIT
// Tensor ops of ops/elementwise.cpp against central differences (gradcheck, float64)
// and their documented behaviour.
#include "check.hpp"

TEST_CASE("elementwise: binary arithmetic, every broadcast pattern") {
  for (const auto& [sa, sb] : kPatterns) {
    CAPTURE(sa);
    CAPTURE(sb);
    const Tensor a = input(sa), b = input(sb);
    const Tensor positive = input(sb, 0.5, 2.0);
    check([](const Args& x) { return x[0] + x[1]; }, {a, b});
    check([](const Args& x) { return x[0] - x[1]; }, {a, b});
    check([](const Args& x) { return x[0] * x[1]; }, {a, b});
    check([](const Args& x) { return x[0] / x[1]; }, {a, positive});
    check([](const Args& x) { return pow(x[0], x[1]); }, {input(sa, 0.5, 2.0), b});
    CHECK((a + b).shape() == detail::broadcast_shapes(sa, sb, "test"));
  }
}

TEST_CASE("elementwise: constants and Scalars on either side") {
  const Tensor a = input({2, 3});
  check([](const Args& x) { return -x[0] + 2.0; }, {a});
  check([](const Args& x) { return 2.0 - x[0] * 3.0; }, {a});
  check([](const Args& x) { return x[0] / 4.0 + 1.5 / (x[0] * x[0] + 1.0); }, {a});
  check([](const Args& x) { return x[0] - 1.0; }, {a});
}

TEST_CASE("elementwise: Scalars on either side, gradients through the Scalar") {
  // The Scalar comes from a one-element tensor (to_scalar), so gradcheck
  // sees the whole path: tensor -> Scalar -> tensor op -> back to both.
  const Tensor a = input({2, 3}), s = input({1});
  check_first_order([](const Args& x) { return x[0] + x[1].to_scalar(); }, {a, s});
  check_first_order([](const Args& x) { return x[1].to_scalar() + x[0]; }, {a, s});
  check_first_order([](const Args& x) { return x[0] - x[1].to_scalar(); }, {a, s});
  check_first_order([](const Args& x) { return x[1].to_scalar() - x[0]; }, {a, s});
  check_first_order([](const Args& x) { return x[0] * x[1].to_scalar(); }, {a, s});
  check_first_order([](const Args& x) { return x[1].to_scalar() * x[0]; }, {a, s});
  check_first_order([](const Args& x) { return x[0] / x[1].to_scalar(); },
                    {a, input({1}, 0.5, 2.0)});
  // A Scalar's gradient is a plain number: a second derivative through one
  // is refused, not silently missing a term.
  CHECK_THROWS_AS(gradgradcheck([](const Args& x) { return x[0] * x[1].to_scalar(); }, {a, s}),
                  GraphError);
}

TEST_CASE("elementwise: maximum and minimum broadcast, split ties, let NaN through") {
  for (const auto& [sa, sb] : kPatterns) {
    check([](const Args& x) { return maximum(x[0], x[1]); }, {input(sa), input(sb)});
    check([](const Args& x) { return minimum(x[0], x[1]); }, {input(sa), input(sb)});
  }
  const Tensor a = Tensor::from({1.0, 2.0, 3.0}).requires_grad_();
  const Tensor b = Tensor::from({2.0, 2.0, std::nan("")}).requires_grad_();
  const Tensor m = maximum(a, b);
  CHECK(m.at({0}) == 2.0);
  CHECK(std::isnan(m.at({2})));
  sum(maximum(a, b.detach())).backward();
  CHECK(a.grad().to_vector() == std::vector<double>{0, 0.5, 1});  // as PyTorch at a NaN
  CHECK(minimum(a, b).at({0}) == 1.0);
}

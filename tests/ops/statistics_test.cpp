// SPDX-License-Identifier: MIT
// Tensor ops of ops/statistics.cpp against central differences (gradcheck,
// gradgradcheck, float64) and their documented behaviour.
#include "check.hpp"

TEST_CASE("statistics: prod, var, std, norm, cumsum") {
  const Tensor a = input({3, 4, 2});
  check([](const Args& x) { return prod(x[0]); }, {input({5})});
  check([](const Args& x) { return prod(x[0], 1); }, {a});
  check([](const Args& x) { return prod(x[0], -1, true); }, {a});
  check([](const Args& x) { return var(x[0]); }, {a});
  check([](const Args& x) { return var(x[0], {0, 2}, 0.0, true); }, {a});
  check([](const Args& x) { return ag::std(x[0], 1); }, {a});
  for (double p : std::vector<double>{1.0, 2.0, 3.0, INFINITY}) {
    CAPTURE(p);
    check([p](const Args& x) { return norm(x[0], p); }, {a});
    check([p](const Args& x) { return norm(x[0], p, {1}, true); }, {a});
  }
  check([](const Args& x) { return cumsum(x[0], 1); }, {a});
  check([](const Args& x) { return cumsum(x[0], -1); }, {a});
}

TEST_CASE("statistics: prod's gradient at zeros is the product of the others") {
  const Tensor x = Tensor::from({2.0, 0.0, 3.0, 4.0}).requires_grad_();
  prod(x).backward();
  CHECK(x.grad().to_vector() == std::vector<double>{0, 24, 0, 0});
  const Tensor two = Tensor::from({{0.0, 5.0, 0.0}, {1.0, 2.0, 3.0}}).requires_grad_();
  sum(prod(two, 1)).backward();
  CHECK(two.grad().to_vector() == std::vector<double>{0, 0, 0, 6, 3, 2});
  // the second derivative through a single zero: d²/dx0 dx1 of x0 x1 x2 = x2
  check([](const Args& v) { return prod(v[0]); },
        {Tensor::from({0.0, 1.5, -2.0}).requires_grad_()});
}

TEST_CASE("statistics: var's correction, norm at zero, cumsum's values") {
  const Tensor x = Tensor::from({1.0, 2.0, 3.0, 4.0});
  CHECK(var(x).item() == doctest::Approx(5.0 / 3.0));
  CHECK(var(x, {}, 0.0).item() == doctest::Approx(1.25));
  CHECK(ag::std(x).item() == doctest::Approx(std::sqrt(5.0 / 3.0)));
  CHECK(norm(x, 1).item() == 10.0);
  CHECK(norm(x, INFINITY).item() == 4.0);
  CHECK(cumsum(x, 0).to_vector() == std::vector<double>{1, 3, 6, 10});
  const Tensor z = zeros({3}, DType::float64).requires_grad_();
  norm(z).backward();
  CHECK(z.grad().to_vector() == std::vector<double>{0, 0, 0});
  CHECK_THROWS_AS(norm(x, 0.0), ValueError);
  CHECK_THROWS_AS(cumsum(x, 1), ShapeError);
}

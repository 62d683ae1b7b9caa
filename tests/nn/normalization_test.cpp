// SPDX-License-Identifier: MIT
// nn/normalization.cpp: LayerNorm and layer_norm.
#include "../ops/check.hpp"
#include "autograd/nn/nn.hpp"

TEST_CASE("normalization: LayerNorm normalises the last dim and differentiates") {
  nn::LayerNorm norm(4, 1e-5, true, DType::float64);
  const Tensor x = Tensor::from({{1.0, 2.0, 3.0, 4.0}, {-1.0, 0.0, 5.0, 2.0}});
  const Tensor y = norm(x);
  CHECK(mean(y, {1}).to_vector()[0] == doctest::Approx(0.0));
  CHECK(mean(y * y, {1}).to_vector()[1] == doctest::Approx(1.0).epsilon(1e-4));
  const GradcheckResult r =
      gradcheck([&](const Args& a) { return norm(a[0]); }, {x.detach().requires_grad_()});
  CHECK(r.ok);
}

TEST_CASE("normalization: over several trailing dims, functional and module, as PyTorch") {
  const Tensor x = input({2, 3, 4});
  check(
      [](const Args& a) {
        return nn::layer_norm(a[0], {3, 4}, a[1], a[2]);
      },
      {x, input({3, 4}), input({3, 4})});
  check([](const Args& a) { return nn::layer_norm(a[0], {4}); }, {x});
  nn::LayerNorm two({3, 4}, 1e-5, true, DType::float64);
  CHECK(two.weight.shape() == Shape{3, 4});
  CHECK(two.name() == "LayerNorm([3, 4])");
  const Tensor y = two(x.detach());
  // each sample's 12 values: mean 0, biased variance 1
  for (std::int64_t n = 0; n < 2; ++n) {
    const Tensor s = select(y, 0, n);
    CHECK(mean(s).item() == doctest::Approx(0.0).epsilon(1e-12));
    CHECK(var(s, {}, 0.0).item() == doctest::Approx(1.0).epsilon(1e-4));
  }
  CHECK_THROWS_AS(nn::layer_norm(x, {4, 3}), ShapeError);
  CHECK_THROWS_AS(nn::layer_norm(x, {3, 4}, ones({4})), ShapeError);
  CHECK_THROWS_AS(nn::LayerNorm(Shape{}), ShapeError);
  CHECK_THROWS_AS(two(ones({3, 5})), ShapeError);
}

// SPDX-License-Identifier: MIT
// Tensor ops of ops/shape.cpp against central differences (gradcheck, float64)
// and their documented behaviour.
#include <limits>

#include "check.hpp"

TEST_CASE("shape: every op against finite differences") {
  const Tensor a = input({2, 3, 4});
  check([](const Args& x) { return reshape(x[0], {4, -1}); }, {a});
  check([](const Args& x) { return transpose(x[0], 0, 2); }, {a});
  check([](const Args& x) { return permute(x[0], {1, 2, 0}); }, {a});
  check([](const Args& x) { return unsqueeze(squeeze(unsqueeze(x[0], 1)), -1); }, {a});
  check([](const Args& x) { return cat({x[0], x[1], x[0]}, 1); }, {a, input({2, 2, 4})});
  check([](const Args& x) { return stack({x[0], x[1]}, 3); }, {a, input({2, 3, 4})});
  check([](const Args& x) { return slice(x[0], 2, 1, 4, 2); }, {a});
  check([](const Args& x) { return slice(x[0], -2, -2, 100); }, {a});
  check([](const Args& x) { return select(x[0], 1, -1); }, {a});
}

TEST_CASE("shape: cat records when only a later input requires a gradient") {
  const Tensor a = ones({2}, DType::float64), b = ones({2}, DType::float64);
  const Tensor c = input({3});
  const Tensor joined = cat({a, b, c});
  CHECK(joined.requires_grad());
  sum(joined * 2.0).backward();
  CHECK(c.grad().to_vector() == std::vector<double>{2, 2, 2});
}

TEST_CASE("shape: reshape is a view; assign writes through it") {
  const Tensor a = zeros({2, 2}, DType::float64);
  Tensor flat = reshape(a, {4});
  flat.assign(Tensor::from({1.0, 2.0, 3.0, 4.0}));
  CHECK(a.at({1, 0}) == 3.0);
  CHECK_THROWS_AS(flat.assign(ones({3}, DType::float64)), ShapeError);
  CHECK_THROWS_AS(flat.assign(ones({4})), DTypeError);
}

TEST_CASE("shape: extreme sizes, starts and steps are errors or exact, never overflow") {
  const Tensor x = input({3, 4});
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  // stop - start + step - 1 overflowed for a huge step (UBSan)
  const Tensor s = slice(x, 1, kMin, kMax, kMax);
  CHECK(s.shape() == Shape{3, 1});
  CHECK(s.at({2, 0}) == x.at({2, 0}));
  CHECK(slice(x, 0, kMax, kMin).shape() == Shape{0, 4});
  // the step times the dim's stride overflowed too (found by ops_fuzz)
  CHECK(slice(x, 0, 1, 3, kMax).to_vector() == select(x, 0, 1).to_vector());
  check([](const Args& a) { return slice(a[0], 0, 0, 3, kMax); }, {x});
  CHECK_THROWS_AS(slice(x, 0, 0, 3, kMin), ValueError);
  // known *= size overflowed before the element count was compared
  CHECK_THROWS_AS(reshape(zeros({0}), {-1, std::int64_t{1} << 62, 4}), ShapeError);
  CHECK_THROWS_AS(reshape(zeros({0}), {kMax, kMax, 0}), ShapeError);
  // an empty tensor with a huge dim: its strides overflowed (found by ops_fuzz)
  CHECK_THROWS_AS(reshape(zeros({0}), {0, kMax - 2, 2}), ShapeError);
  CHECK_THROWS_AS(zeros({0, std::int64_t{1} << 62}), ShapeError);
  CHECK(zeros({0, 1 << 20}).numel() == 0);
  CHECK_THROWS_AS(select(x, 0, kMin), IndexError);
  CHECK_THROWS_AS(transpose(x, kMin, 0), ShapeError);
}

TEST_CASE("shape: large transposes (copied in tiles) and slice gradients keep every element") {
  const Tensor x = arange(0, 3 * 37 * 45, 1, DType::float64).reshape({3, 37, 45});
  const Tensor t = transpose(x, 1, 2);  // (3, 45, 37), tiled copy with ragged edges
  const std::vector<double> v = t.to_vector();
  for (std::int64_t b = 0; b < 3; ++b)
    for (std::int64_t i = 0; i < 45; ++i)
      for (std::int64_t j = 0; j < 37; ++j)
        CHECK(v[(b * 45 + i) * 37 + j] == (b * 37 + j) * 45 + i);
  CHECK(permute(x, {2, 0, 1}).to_vector()[1] == 45.0);  // p[0, 0, 1] = x[0, 1, 0]
  check([](const Args& a) { return transpose(a[0], 0, 1); }, {input({9, 11})});
  check([](const Args& a) { return slice(a[0], 1, 2, 9, 3); }, {input({3, 10})});
}

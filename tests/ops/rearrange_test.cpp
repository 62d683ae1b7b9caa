// SPDX-License-Identifier: MIT
// Tensor ops of ops/rearrange.cpp against central differences (gradcheck,
// gradgradcheck, float64) and their documented behaviour.
#include "check.hpp"

TEST_CASE("rearrange: gradients of flip, repeat, expand, split, chunk, flatten, tril, triu") {
  const Tensor a = input({3, 4, 2});
  check([](const Args& x) { return flip(x[0], {0, 2}); }, {a});
  check([](const Args& x) { return flip(x[0], -2); }, {a});
  check([](const Args& x) { return repeat(x[0], {2, 1, 1, 3}); }, {a});
  check([](const Args& x) { return expand(x[0], {2, 3, -1}); }, {input({3, 1})});
  check([](const Args& x) { return split(x[0], 3, 1)[1]; }, {input({3, 5})});
  check([](const Args& x) { return split(x[0], {1, 4}, -1)[1] * 2.0; }, {input({3, 5})});
  check([](const Args& x) { return chunk(x[0], 2, 0)[0]; }, {input({5, 2})});
  check([](const Args& x) { return flatten(x[0], 1); }, {a});
  check([](const Args& x) { return unflatten(x[0], 1, {2, -1}); }, {a});
  check([](const Args& x) { return tril(x[0]); }, {input({4, 3})});
  check([](const Args& x) { return triu(x[0], 1); }, {input({2, 3, 3})});
}

TEST_CASE("rearrange: values and errors") {
  const Tensor m = Tensor::from({{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}});
  CHECK(flip(m, 1).to_vector() == std::vector<double>{3, 2, 1, 6, 5, 4});
  CHECK(flip(m, {0, 1}).to_vector() == std::vector<double>{6, 5, 4, 3, 2, 1});
  CHECK(repeat(Tensor::from({1.0, 2.0}), {2, 2}).to_vector() ==
        std::vector<double>{1, 2, 1, 2, 1, 2, 1, 2});
  CHECK(repeat(m, {1, 2}).shape() == Shape{2, 6});
  CHECK(expand(Tensor::from({{1.0}, {2.0}}), {2, 3}).to_vector() ==
        std::vector<double>{1, 1, 1, 2, 2, 2});
  const auto parts = chunk(arange(7), 3);
  REQUIRE(parts.size() == 3);  // sizes 3, 3, 1 as torch.chunk
  CHECK(parts[2].to_vector() == std::vector<double>{6});
  CHECK(split(arange(5), 2).size() == 3);
  CHECK(flatten(zeros({2, 3, 4}), 0, 1).shape() == Shape{6, 4});
  CHECK(flatten(scalar_tensor(3)).shape() == Shape{1});
  CHECK(unflatten(zeros({2, 12}), -1, {3, -1}).shape() == Shape{2, 3, 4});
  CHECK(tril(ones({3, 3})).to_vector() == std::vector<double>{1, 0, 0, 1, 1, 0, 1, 1, 1});
  CHECK(triu(ones({2, 3}), -1).to_vector() == std::vector<double>{1, 1, 1, 1, 1, 1});
  CHECK_THROWS_AS(repeat(m, {2}), ShapeError);
  CHECK_THROWS_AS(split(m, {1, 1}, 1), ShapeError);
  CHECK_THROWS_AS(unflatten(m, 1, {2, 2}), ShapeError);
  CHECK_THROWS_AS(tril(arange(3)), ShapeError);
  CHECK_THROWS_AS(flatten(m, 1, 0), ShapeError);
  CHECK_THROWS_AS(chunk(m, 0), ValueError);
}

// SPDX-License-Identifier: MIT
// ops/window.cpp: as_strided (overlapping windows), its adjoint, unfold
// and pad: gradients of any order, values, errors. PyTorch values:
// tests/reference/ops.json (as_strided, unfold, pad).
#include "check.hpp"

TEST_CASE("window: gradients of as_strided, unfold and pad, overlapping windows included") {
  const Tensor x = input({2, 7});
  check([](const Args& a) { return as_strided(a[0], {2, 3, 3}, {7, 2, 1}, 0); }, {x});
  check([](const Args& a) { return as_strided(a[0], {3, 2}, {1, 3}, 2); }, {x});
  check([](const Args& a) { return unfold(a[0], 1, 3, 2); }, {x});
  check([](const Args& a) { return unfold(a[0], -1, 2, 1, 3); }, {x});
  check([](const Args& a) { return unfold(a[0], 0, 1, 1); }, {x});
  check([](const Args& a) { return pad(a[0], {1, 2}); }, {x});
  check([](const Args& a) { return pad(a[0], {0, 1, 2, 0}, -1.5); }, {x});
}

TEST_CASE("window: values, the adjoint adds overlaps, and errors") {
  const Tensor x = Tensor::from({1.0, 2.0, 3.0, 4.0, 5.0});
  CHECK(unfold(x, 0, 3, 1).to_vector() == std::vector<double>{1, 2, 3, 2, 3, 4, 3, 4, 5});
  CHECK(unfold(x, 0, 2, 2, 2).to_vector() == std::vector<double>{1, 3, 3, 5});
  CHECK(unfold(x, 0, 2, 2).shape() == Shape{2, 2});  // the last element is left out
  CHECK(pad(x, {1, 1}, 9.0).to_vector() == std::vector<double>{9, 1, 2, 3, 4, 5, 9});
  Tensor leaf = Tensor::from({1.0, 2.0, 3.0, 4.0, 5.0}).requires_grad_();
  sum(unfold(leaf, 0, 3, 1)).backward();  // element i is in min(i+1, 3, 5-i) windows
  CHECK(leaf.grad().to_vector() == std::vector<double>{1, 2, 3, 2, 1});
  CHECK(as_strided(x, {0, 9}, {100, 100}).numel() == 0);
  CHECK_THROWS_AS(as_strided(x, {2, 3}, {3, 1}), ShapeError);                    // reads element 5
  CHECK_THROWS_AS(as_strided(input({2, 7}), {2, 3, 4}, {7, 2, 1}), ShapeError);  // element 14
  CHECK_THROWS_AS(as_strided(x, {2}, {-1}), ShapeError);
  CHECK_THROWS_AS(as_strided(x, {2}, {1}, -1), ShapeError);
  CHECK_THROWS_AS(as_strided(x, {2, 2}, {1}), ShapeError);
  CHECK_THROWS_AS(as_strided(x, {1 << 30, 1 << 30}, {1 << 30, 1 << 30}), ShapeError);
  CHECK_THROWS_AS(unfold(x, 0, 6, 1), ShapeError);
  CHECK_THROWS_AS(unfold(x, 0, 3, 0), ShapeError);
  CHECK_THROWS_AS(pad(x, {1}), ShapeError);
  CHECK_THROWS_AS(pad(x, {-1, 0}), ShapeError);
  CHECK_THROWS_AS(pad(x, {1, 1, 1, 1}), ShapeError);
}

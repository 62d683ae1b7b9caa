// SPDX-License-Identifier: MIT
// ops/indexing.cpp: LibTorch's indexing, its gradients of any order, its
// errors, and index_put_'s in-place semantics. Values against PyTorch:
// parity_test.cpp.
#include "check.hpp"

using namespace ag::indexing;

TEST_CASE("index: basic, advanced and mask indexing differentiate to any order") {
  check([](const Args& in) { return in[0].index({Slice(), 0}); }, {input({3, 4})});
  check(
      [](const Args& in) {
        return in[0].index({Slice(1, None, 2), "...", None});
      },
      {input({4, 3, 2})});
  check(
      [](const Args& in) {
        return in[0].index({Tensor::from({2, 0, 2}), Tensor::from({1, -1, 3})});
      },
      {input({3, 4, 5})});
  check(
      [](const Args& in) {
        return in[0].index({Slice(), Tensor::from({{0, 1}, {3, 3}})});
      },
      {input({3, 4})});
  check(
      [](const Args& in) {
        return in[0].index({Tensor::from({true, false, true})});
      },
      {input({3, 4})});
  check(
      [](const Args& in) {
        return in[0].masked_select(Tensor::from({true, false, true, true}));
      },
      {input({2, 4})});
  check(
      [](const Args& in) {
        return index_put(in[0], {Slice(), 1}, in[1]);
      },
      {input({3, 4}), input({3})});
  check([](const Args& in) { return in[0][1]; }, {input({3, 4})});
}

TEST_CASE("index: shapes as NumPy's advanced indexing places them") {
  const Tensor x = zeros({3, 4, 5});
  const Tensor r = Tensor::from({0, 1}), c = Tensor::from({2, 3});
  CHECK(x.index({r, c}).shape() == Shape{2, 5});
  CHECK(x.index({Slice(), r, c}).shape() == Shape{3, 2});  // adjacent: where the first was
  CHECK(x.index({r, Slice(), c}).shape() == Shape{2, 4});  // apart: first
  CHECK(x.index({"...", 0}).shape() == Shape{3, 4});
  CHECK(x.index({None, 1, None}).shape() == Shape{1, 1, 4, 5});
  CHECK(x[Tensor::from({2, 2, 0})].shape() == Shape{3, 4, 5});
  CHECK(nonzero(Tensor::from({{0, 3}, {1, 0}})).to_vector() == std::vector<double>{0, 1, 1, 0});
  const std::vector<Tensor> at = where(Tensor::from({{false, true}, {true, false}}));
  REQUIRE(at.size() == 2);
  CHECK(at[0].to_vector() == std::vector<double>{0, 1});
  CHECK(at[1].to_vector() == std::vector<double>{1, 0});
}

TEST_CASE("index: errors name the index and the size") {
  const Tensor x = zeros({3, 4});
  CHECK_THROWS_WITH(x.index({Tensor::from({0, 3})}),
                    doctest::Contains("index 3 is out of bounds for dim 0 of size 3"));
  CHECK_THROWS_AS(x.index({0, 0, 0}), IndexError);
  CHECK_THROWS_AS(x.index({"...", "..."}), IndexError);
  CHECK_THROWS_AS(x.index({"::"}), ValueError);
  CHECK_THROWS_AS(x.index({Slice(None, None, 0)}), ValueError);
  CHECK_THROWS_AS(x.index({Tensor::from({true, false})}), IndexError);
  CHECK_THROWS_AS(x.index({Tensor::from({0.5})}), DTypeError);
  CHECK_THROWS_AS(x[7], IndexError);
}

TEST_CASE("index_put_: in place for plain tensors, recorded through a graph") {
  Tensor x = zeros({2, 3});
  const Tensor alias = x;
  x.index_put_({Slice(), 0}, 7.0);
  x.index_put_({1, Slice(1, None)}, Tensor::from({1.0f, 2.0f}));
  CHECK(alias.to_vector() == std::vector<double>{7, 0, 0, 7, 1, 2});
  Tensor counts = zeros({4}, DType::int64);
  counts.index_put_({Tensor::from({1, 3})}, Tensor::from({5, 6}));
  CHECK(counts.to_vector() == std::vector<double>{0, 5, 0, 6});
  // Through a graph: the gradient reaches the values and the places kept.
  const Tensor w = Tensor::from({1.0, 2.0, 3.0}).requires_grad_();
  const Tensor v = Tensor::from({10.0}).requires_grad_();
  Tensor h = w * 2.0;
  h.index_put_({1}, v);
  sum(h * h).backward();
  CHECK(w.grad().to_vector() == std::vector<double>{8, 0, 24});
  CHECK(v.grad().item() == 20.0);
  Tensor leaf = zeros({2}).requires_grad_();
  CHECK_THROWS_AS(leaf.index_put_({0}, 1.0), GraphError);
}

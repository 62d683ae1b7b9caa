// SPDX-License-Identifier: MIT
// Tensor ops of ops/index.cpp against central differences (gradcheck, float64)
// and their documented behaviour.
#include "check.hpp"

TEST_CASE("index: every op against finite differences") {
  const Tensor a = input({2, 3, 4});
  check([](const Args& x) { return index_select(x[0], 1, index_tensor({2, 0, 2})); }, {a});
  check(
      [](const Args& x) {
        return embedding(x[0], index_tensor({1, 3, 1, 0}, {2, 2}));
      },
      {input({5, 3})});
  check(
      [](const Args& x) {
        return index_add(x[0], 0, index_tensor({1, 1}), x[1]);
      },
      {input({3, 2}), input({2, 2})});
}

TEST_CASE("index: gather picks along a dim; repeats add up in backward") {
  const Tensor x = input({3, 4});
  const Tensor idx = index_tensor({0, 3, 3, 1, 2, 2}, {3, 2});
  const Tensor out = gather(x, 1, idx);
  CHECK(out.shape() == Shape{3, 2});
  CHECK(out.at({0, 1}) == x.at({0, 3}));
  CHECK(out.at({2, 0}) == x.at({2, 2}));
  check([&](const Args& a) { return gather(a[0], 1, idx); }, {x});
  check([](const Args& a) { return gather(a[0], 0, index_tensor({2, 0, 1, 1}, {1, 4})); }, {x});
  CHECK_THROWS_AS(gather(x, 1, index_tensor({4}, {1, 1})), IndexError);
  CHECK_THROWS_AS(gather(x, 1, index_tensor({0}, {1})), ShapeError);
}

TEST_CASE("index: embedding: repeated rows add up, the padding row gets nothing") {
  const Tensor w = input({5, 3});
  const Tensor out = embedding(w, index_tensor({1, 3, 1, 0}, {2, 2}), 1);
  CHECK(out.shape() == Shape{2, 2, 3});
  CHECK(out.at({0, 0, 2}) == w.at({1, 2}));  // the padding row is still looked up
  sum(out * 2.0).backward();
  CHECK(w.grad().at({1, 0}) == 0.0);  // padding_idx = 1, used twice
  CHECK(w.grad().at({3, 0}) == 2.0);
  CHECK(w.grad().at({0, 2}) == 2.0);
  CHECK(w.grad().at({2, 1}) == 0.0);
  const Tensor w2 = input({4, 2});
  sum(embedding(w2, index_tensor({2, 2, 2}))).backward();
  CHECK(w2.grad().at({2, 0}) == 3.0);
}

TEST_CASE("index: sparse embedding gradients: rows touched and their values") {
  const Tensor w = input({6, 3});
  const Tensor idx = index_tensor({4, 1, 4, 2}, {2, 2});
  const Tensor upstream = input({2, 2, 3}).detach();
  sum(embedding(w, idx, std::nullopt, /*sparse=*/true) * upstream).backward();
  CHECK_FALSE(w.grad().defined());
  const SparseGrad& sg = w.sparse_grad();
  REQUIRE(sg.defined());
  CHECK(sg.rows.to_vector() == std::vector<double>{4, 1, 4, 2});  // uncoalesced
  CHECK(sg.values.shape() == Shape{4, 3});
  const Tensor dense_w = w.detach().requires_grad_();
  sum(embedding(dense_w, idx) * upstream).backward();
  CHECK(sg.to_dense(6).to_vector() == dense_w.grad().to_vector());
  // a second backward appends; padding rows are left out
  sum(embedding(w, index_tensor({0, 5}), 5, true)).backward();
  CHECK(w.sparse_grad().rows.to_vector() == std::vector<double>{4, 1, 4, 2, 0});
  w.zero_grad();
  CHECK_FALSE(w.sparse_grad().defined());
  // ag::grad sees a dense gradient
  const Tensor g = grad({sum(embedding(w, idx, std::nullopt, true))}, {w})[0];
  CHECK(g.at({4, 0}) == 2.0);
  CHECK(g.at({0, 0}) == 0.0);
}

TEST_CASE("index: set_sparse_grad sets rows that fit, and names what does not") {
  Tensor w = input({6, 3});
  const Tensor values = input({2, 3}).detach();
  w.set_sparse_grad({index_tensor({5, 0}), values});
  CHECK(w.sparse_grad().to_dense(6).at({5, 1}) == values.at({0, 1}));
  CHECK_THROWS_AS(w.set_sparse_grad({index_tensor({5}), values}), ShapeError);
  CHECK_THROWS_AS(w.set_sparse_grad({index_tensor({1, 2}), input({2, 4}).detach()}), ShapeError);
  CHECK_THROWS_AS(w.set_sparse_grad({index_tensor({1, 2}), values.to(DType::float32)}), DTypeError);
  CHECK_THROWS_WITH_AS(w.set_sparse_grad({index_tensor({1, 6}), values}),
                       "set_sparse_grad: row 6 is out of range for 6 rows", IndexError);
  CHECK(w.sparse_grad().rows.to_vector() == std::vector<double>{5, 0});  // unchanged
  w.set_sparse_grad({});
  CHECK_FALSE(w.sparse_grad().defined());
}

TEST_CASE("index: embedding's padding_idx must be a row of the table") {
  const Tensor w = input({4, 2});
  CHECK_THROWS_AS(embedding(w, index_tensor({0, 1}), 4), IndexError);
  CHECK_THROWS_AS(embedding(w, index_tensor({0, 1}), -5), IndexError);
  // negative counts from the end, as in PyTorch: -1 is row 3
  sum(embedding(w, index_tensor({3, 1}), -1)).backward();
  CHECK(w.grad().at({3, 0}) == 0.0);
  CHECK(w.grad().at({1, 0}) == 1.0);
}

TEST_CASE("index: empty tensors whose other dims are huge take no time (found by ops_fuzz)") {
  // Shape {2^40, 0}: nothing to copy, but a loop over the 2^40 rows timed out.
  const Tensor x = zeros({std::int64_t{1} << 40, 0}, DType::float64).requires_grad_();
  const Tensor picked = index_select(x, 1, index_tensor({}, {0}));
  CHECK(picked.numel() == 0);
  CHECK(index_add(x, 1, index_tensor({}, {0}), zeros({std::int64_t{1} << 40, 0}, DType::float64))
            .numel() == 0);
  CHECK(cat({x, x}, 1).numel() == 0);
  CHECK(matmul(zeros({1 << 20, 0, 2}), zeros({2, 3})).shape() == Shape{1 << 20, 0, 3});
  sum(picked).backward();
  CHECK(x.grad().shape() == x.shape());
}

TEST_CASE("index: scatter, scatter_add and one_hot") {
  const Tensor index = Tensor::from({{0, 2}, {1, 1}});
  const Tensor x = input({2, 3}), src = input({2, 3});  // src larger than index: only (2,2) used
  check([&](const Args& v) { return scatter_add(v[0], 1, index, v[1]); }, {x, src});
  // scatter's gradient to src is gather(g) as in PyTorch: exact where no
  // index repeats (with repeats, the overwritten src elements get one too)
  const Tensor distinct = Tensor::from({{0, 2}, {1, 0}});
  check([&](const Args& v) { return scatter(v[0], 1, distinct, v[1]); }, {x, src});
  const Tensor base = zeros({2, 3}, DType::float64);
  const Tensor s = Tensor::from({{1.0, 2.0, 9.0}, {3.0, 4.0, 9.0}});
  CHECK(scatter_add(base, 1, index, s).to_vector() == std::vector<double>{1, 0, 2, 0, 7, 0});
  CHECK(scatter(base, 1, index, s).to_vector() == std::vector<double>{1, 0, 2, 0, 4, 0});
  // x's overwritten places pass no gradient
  const Tensor xs = ones({2, 3}, DType::float64).requires_grad_();
  sum(scatter(xs, 1, index, s)).backward();
  CHECK(xs.grad().to_vector() == std::vector<double>{0, 1, 0, 1, 0, 1});
  CHECK_THROWS_AS(scatter(base, 1, Tensor::from({{0, 3}, {1, 1}}), s), IndexError);
  CHECK_THROWS_AS(scatter_add(base, 1, Tensor::from({{0, 1, 2, 0}}), s), ShapeError);
  CHECK_THROWS_AS(scatter(base, 1, index, s.to(DType::float32)), DTypeError);
  const Tensor h = one_hot(Tensor::from({2, 0}));
  CHECK(h.dtype() == DType::int64);
  CHECK(h.shape() == Shape{2, 3});
  CHECK(h.to_vector() == std::vector<double>{0, 0, 1, 1, 0, 0});
  CHECK(one_hot(Tensor::from({{1}}), 4).shape() == Shape{1, 1, 4});
  CHECK_THROWS_AS(one_hot(Tensor::from({4}), 3), IndexError);
  CHECK_THROWS_AS(one_hot(Tensor::from({1.0})), DTypeError);
}

// SPDX-License-Identifier: MIT
// ops/einsum.cpp: the common contractions against the ops they stand for,
// gradients of any order, and the equations it refuses.
#include "check.hpp"

namespace {
void same(const Tensor& got, const Tensor& want) {
  REQUIRE(got.shape() == want.shape());
  const auto g = got.to_vector(), w = want.to_vector();
  for (std::size_t i = 0; i < g.size(); ++i) CHECK(g[i] == doctest::Approx(w[i]).epsilon(1e-12));
}
}  // namespace

TEST_CASE("einsum: contractions equal the ops they stand for") {
  const Tensor a = input({3, 4}), b = input({4, 5}), v = input({4});
  const Tensor p = input({2, 3, 4}), q = input({2, 4, 5});
  same(einsum("ij,jk->ik", {a, b}), matmul(a, b));
  same(einsum("ij,jk", {a, b}), matmul(a, b));  // implicit output
  same(einsum("bij,bjk->bik", {p, q}), matmul(p, q));
  same(einsum("ij->ji", {a}), transpose(a, 0, 1));
  same(einsum("ij->", {a}), sum(a));
  same(einsum("ij->j", {a}), sum(a, 0));
  same(einsum("i,i->", {v, v}), sum(v * v));
  same(einsum("i,j->ij", {v, v}), matmul(reshape(v, {4, 1}), reshape(v, {1, 4})));
  same(einsum("ij,j->i", {a, v}), matmul(a, v));
  same(einsum("bij,bkj->bik", {p, p}), matmul(p, transpose(p, 1, 2)));
  same(einsum("ij,ij->i", {a, a}), sum(a * a, 1));
  same(einsum("ij,kl->il", {a, b}), matmul(sum(a, 1, true), sum(b, 0, true)));
}

TEST_CASE("einsum: gradients of any order") {
  check([](const Args& x) { return einsum("bij,bjk->bik", x); },
        {input({2, 3, 4}), input({2, 4, 2})});
  check([](const Args& x) { return einsum("bhqd,bhkd->bhqk", x); },
        {input({1, 2, 3, 2}), input({1, 2, 4, 2})});
  check([](const Args& x) { return einsum("ij,kl->lj", x); }, {input({2, 3}), input({2, 2})});
  check([](const Args& x) { return einsum("ijk->kj", x); }, {input({2, 3, 4})});
}

TEST_CASE("einsum: refuses what it cannot do, naming the equation") {
  const Tensor a = zeros({3, 3}), b = zeros({4, 2});
  CHECK_THROWS_AS(einsum("ii->i", {a}), ValueError);
  CHECK_THROWS_AS(einsum("ij,jk->ik", {a, b}), ShapeError);
  CHECK_THROWS_AS(einsum("ij,jk,kl->il", {a, a, a}), ValueError);
  CHECK_THROWS_AS(einsum("ijk->i", {a}), ShapeError);
  CHECK_THROWS_AS(einsum("ij->x", {a}), ValueError);
  CHECK_THROWS_AS(einsum("...i->i", {a}), ValueError);
  CHECK_THROWS_WITH_AS(einsum("ij,jk->ik", {a, b}), doctest::Contains("label 'j'"), ShapeError);
}

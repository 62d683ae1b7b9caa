// SPDX-License-Identifier: MIT
// Tensor ops of ops/sort.cpp: values, indices, ties, NaN, and gradients.
#include "check.hpp"

TEST_CASE("sort: gradients of sort and topk flow through the chosen places") {
  const Tensor a = input({3, 5});
  check([](const Args& x) { return sort(x[0]).values; }, {a});
  check([](const Args& x) { return sort(x[0], 0, true).values; }, {a});
  check([](const Args& x) { return topk(x[0], 2).values; }, {a});
  check([](const Args& x) { return topk(x[0], 2, 0, false).values; }, {a});
}

TEST_CASE("sort: order, stability and NaN") {
  const Tensor x = Tensor::from({3.0, 1.0, 2.0, 1.0, std::nan("")});
  auto [values, indices] = sort(x);
  CHECK(indices.dtype() == DType::int64);
  CHECK(indices.to_vector() == std::vector<double>{1, 3, 2, 0, 4});  // ties keep order, NaN last
  CHECK(std::isnan(values.at({4})));
  CHECK(sort(x, 0, true).indices.to_vector() == std::vector<double>{4, 0, 2, 1, 3});
  auto top = topk(Tensor::from({{1.0, 5.0, 3.0}, {9.0, 9.0, 0.0}}), 2);
  CHECK(top.values.to_vector() == std::vector<double>{5, 3, 9, 9});
  CHECK(top.indices.to_vector() == std::vector<double>{1, 2, 0, 1});
  CHECK(topk(Tensor::from({4.0, 2.0, 8.0}), 1, 0, false).indices.item() == 1);
  CHECK(topk(x, 0).values.numel() == 0);
  CHECK_THROWS_AS(topk(x, 6), ShapeError);
  // integers sort too (no gradient to carry)
  auto ints = sort(Tensor::from({{3, -1, 2}, {0, 9, 9}}), 1, true);
  CHECK(ints.values.dtype() == DType::int64);
  CHECK(ints.values.to_vector() == std::vector<double>{3, 2, -1, 9, 9, 0});
  CHECK(ints.indices.to_vector() == std::vector<double>{0, 2, 1, 1, 2, 0});
  CHECK(topk(Tensor::from({5, 7, 6}), 2).values.to_vector() == std::vector<double>{7, 6});
}

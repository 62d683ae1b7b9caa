// SPDX-License-Identifier: MIT
// nn/data.cpp: minibatches.
#include <doctest/doctest.h>

#include <set>

#include "autograd/nn/nn.hpp"

using namespace ag;

TEST_CASE("data: batches cover every row once per epoch, reshuffled, reproducibly") {
  const Tensor x = reshape(arange(0, 20, 1, DType::float64), {10, 2});
  const Tensor y = arange(0, 10, 1, DType::float64);
  Generator gen(3);
  nn::DataLoader loader({x, y}, 4, {.shuffle = true}, gen);
  CHECK(loader.size() == 3);  // 4 + 4 + 2
  std::vector<double> first_epoch;
  for (int epoch = 0; epoch < 2; ++epoch) {
    std::multiset<double> seen;
    std::vector<double> order;
    std::int64_t batches = 0;
    for (const auto& batch : loader) {
      REQUIRE(batch.size() == 2);
      for (std::int64_t i = 0; i < batch[1].numel(); ++i) {
        const double row = batch[1].at({i});
        CHECK(batch[0].at({i, 0}) == 2 * row);  // rows stay together
        seen.insert(row);
        order.push_back(row);
      }
      ++batches;
    }
    CHECK(batches == 3);
    CHECK(seen.size() == 10);
    CHECK(std::set<double>(seen.begin(), seen.end()).size() == 10);
    if (epoch == 0) first_epoch = order;
    if (epoch == 1) CHECK(order != first_epoch);  // a new permutation
  }
  Generator again(3);
  nn::DataLoader same({x, y}, 4, {.shuffle = true}, again);
  CHECK((*same.begin())[1].to_vector() ==
        std::vector<double>(first_epoch.begin(), first_epoch.begin() + 4));
  nn::DataLoader in_order({x}, 3, {.drop_last = true});
  CHECK(in_order.size() == 3);
  CHECK((*in_order.begin())[0].shape() == Shape{3, 2});
  CHECK(in_order.batch(2)[0].at({0, 0}) == 12.0);
  CHECK_THROWS_AS(in_order.batch(3), IndexError);
  CHECK_THROWS_AS(nn::DataLoader({x, arange(3)}, 2), ShapeError);
  CHECK_THROWS_AS(nn::DataLoader({x}, 0), ValueError);
}

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

TEST_CASE("data: a sampler gives the rows of each epoch") {
  const Tensor x = arange(0, 10, 1, DType::float64);
  std::vector<std::int64_t> epochs_asked;
  auto odd_then_even = [&](std::int64_t epoch) {
    epochs_asked.push_back(epoch);
    std::vector<std::int64_t> rows;
    for (std::int64_t r = epoch % 2 == 0 ? 1 : 0; r < 10; r += 2) rows.push_back(r);
    return rows;
  };
  nn::DataLoader loader({x}, 2, {.sampler = odd_then_even});
  CHECK(loader.rows_per_epoch() == 5);
  CHECK(loader.size() == 3);  // 2 + 2 + 1
  for (std::vector<double> want : {std::vector<double>{1, 3, 5, 7, 9}, {0, 2, 4, 6, 8}}) {
    std::vector<double> got;
    for (const auto& batch : loader) {
      for (double v : batch[0].to_vector()) got.push_back(v);
    }
    CHECK(got == want);
  }
  CHECK(epochs_asked == std::vector<std::int64_t>{0, 0, 1});  // size() at construction, then 0, 1
  nn::DataLoader bad({x}, 2, {.sampler = [](std::int64_t) {
                       return std::vector<std::int64_t>{3, 10};
                     }});
  CHECK_THROWS_WITH_AS(bad.begin(), "DataLoader: the sampler gave row 10 of 10 in epoch 0",
                       IndexError);
}

TEST_CASE("data: a batch size near INT64_MAX is one batch (issue #38: it was 0 or -1)") {
  Generator gen(1);
  nn::DataLoader loader({zeros({5, 2})}, INT64_MAX, {}, gen);
  CHECK(loader.size() == 1);
  CHECK(loader.batch(0)[0].shape() == Shape{5, 2});
  nn::DataLoader exact({zeros({6, 2})}, 3, {}, gen);
  CHECK(exact.size() == 2);
  nn::DataLoader rest({zeros({7, 2})}, 3, {}, gen);
  CHECK(rest.size() == 3);
  CHECK(rest.batch(2)[0].shape() == Shape{1, 2});
}

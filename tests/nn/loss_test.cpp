// SPDX-License-Identifier: MIT
// nn/loss.cpp: the losses.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>

#include "autograd/nn/nn.hpp"

using namespace ag;
using Args = std::vector<Tensor>;

TEST_CASE("loss: loss modules are the functional losses") {
  const Tensor p = Tensor::from({{0.2, 0.7}}), y = Tensor::from({{0.0, 1.0}});
  const Tensor logits = Tensor::from({{1.0, -1.0, 0.5}}), t = index_tensor({2});
  CHECK(nn::MSELoss()(p, y).item() == nn::mse_loss(p, y).item());
  CHECK(nn::L1Loss(nn::Reduction::sum)(p, y).item() == doctest::Approx(0.5));
  CHECK(nn::BCELoss()(p, y).item() == nn::binary_cross_entropy(p, y).item());
  CHECK(nn::BCEWithLogitsLoss()(p, y).item() == nn::binary_cross_entropy_with_logits(p, y).item());
  CHECK(nn::CrossEntropyLoss()(logits, t).item() ==
        doctest::Approx(nn::NLLLoss()(log_softmax(logits, 1), t).item()));
  CHECK_THROWS_AS(nn::mse_loss(p, ones({2})), ShapeError);
  CHECK_THROWS_AS(nn::cross_entropy(logits, index_tensor({3})), IndexError);
}

TEST_CASE("loss: a NaN label smoothing is refused") {
  const Tensor logits = Tensor::from({{1.0, -1.0}});
  CHECK_THROWS_AS(nn::cross_entropy(logits, index_tensor({0}), {.label_smoothing = std::nan("")}),
                  ValueError);
}

TEST_CASE("loss: cross_entropy and nll_loss over (N, C, d1, ...) and one sample (C)") {
  Generator gen(4);
  const Tensor logits = randn({2, 3, 4, 5}, gen, DType::float64);
  const Tensor target = randint(0, 3, {2, 4, 5}, gen);
  // the same as the rows with C last
  const Tensor rows = reshape(permute(logits, {0, 2, 3, 1}), {-1, 3});
  const Tensor flat = reshape(target, {-1});
  CHECK(nn::cross_entropy(logits, target).item() ==
        doctest::Approx(nn::cross_entropy(rows, flat).item()).epsilon(1e-14));
  nn::CrossEntropyOptions none;
  none.reduction = nn::Reduction::none;
  const Tensor each = nn::cross_entropy(logits, target, none);
  CHECK(each.shape() == Shape{2, 4, 5});
  CHECK(each.at({1, 2, 3}) ==
        doctest::Approx(nn::cross_entropy(rows, flat, none).at({(1 * 4 + 2) * 5 + 3})));
  const Tensor log_probs = log_softmax(logits, 1);
  CHECK(
      nn::nll_loss(log_probs, target, Tensor(), -100, nn::Reduction::sum).item() ==
      doctest::Approx(nn::cross_entropy(logits, target, {.reduction = nn::Reduction::sum}).item()));
  const Tensor one = Tensor::from({1.0, 2.0, 0.5});
  CHECK(nn::cross_entropy(one, Tensor::from(std::vector<std::int64_t>{1}, {})).shape() == Shape{});
  CHECK(nn::cross_entropy(one, Tensor::from(std::vector<std::int64_t>{1}, {})).item() ==
        doctest::Approx(-log_softmax(one, 0).at({1})));
  const Tensor probs = softmax(randn({2, 3, 4}, gen, DType::float64), 1);
  CHECK(nn::cross_entropy(randn({2, 3, 4}, gen, DType::float64), probs, none).shape() ==
        Shape{2, 4});
  CHECK_THROWS_AS(nn::cross_entropy(logits, randint(0, 3, {2, 5, 4}, gen)), ShapeError);
  CHECK_THROWS_AS(nn::nll_loss(scalar_tensor(1.0), Tensor::from({0})), ShapeError);
}

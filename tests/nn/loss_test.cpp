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

// SPDX-License-Identifier: MIT
// nn/conv.cpp and BatchNorm1d: gradients of any order for conv1d (stride,
// padding, dilation, groups), the pools and batch_norm; modules, buffers
// and errors. Values against PyTorch: tests/reference/layers.json.
#include "../ops/check.hpp"
#include "autograd/nn/nn.hpp"

TEST_CASE("conv: first and second derivatives of conv1d and the pools") {
  nn::Conv1dOptions strided;
  strided.stride = 2;
  strided.padding = 1;
  strided.dilation = 2;
  nn::Conv1dOptions grouped;
  grouped.groups = 2;
  grouped.padding = 1;
  for (const nn::Conv1dOptions& o : {nn::Conv1dOptions{}, strided, grouped}) {
    const std::int64_t per_group = 4 / o.groups;
    check([&](const Args& a) { return nn::conv1d(a[0], a[1], a[2], o); },
          {input({2, 4, 7}), input({6, per_group, 3}), input({6})});
  }
  check([](const Args& a) { return nn::conv1d(a[0], a[1]); }, {input({3, 5}), input({2, 3, 2})});
  const Tensor x = input({2, 3, 8});
  nn::Pool1dOptions pool;
  pool.stride = 2;
  pool.padding = 1;
  check([&](const Args& a) { return nn::max_pool1d(a[0], 3, pool); }, {x});
  check([&](const Args& a) { return nn::avg_pool1d(a[0], 3, pool); }, {x});
  pool.ceil_mode = true;
  pool.count_include_pad = false;
  check([&](const Args& a) { return nn::avg_pool1d(a[0], 2, pool); }, {x});
  check([](const Args& a) { return nn::adaptive_max_pool1d(a[0], 3); }, {x});
  check([](const Args& a) { return nn::adaptive_avg_pool1d(a[0], 5); }, {x});
}

TEST_CASE("conv: batch_norm's derivatives in training and evaluation") {
  for (const Shape& shape : {Shape{5, 3}, Shape{4, 3, 2}}) {
    check([](const Args& a) { return nn::batch_norm(a[0], {}, {}, a[1], a[2], true); },
          {input(shape), input({3}), input({3})});
    const Tensor mean = rand({3}, test::gen(), DType::float64);
    const Tensor var = rand({3}, test::gen(), DType::float64, 0.5, 2.0);
    check([&](const Args& a) { return nn::batch_norm(a[0], mean, var, a[1], a[2], false); },
          {input(shape), input({3}), input({3})});
  }
}

TEST_CASE("conv: layers, shapes, PyTorch's names and initialisation, errors") {
  manual_seed(4);
  nn::Conv1dOptions options;
  options.padding = 1;
  nn::Conv1d conv(8, 6, 3, options);
  CHECK(conv.weight.shape() == Shape{6, 8, 3});
  for (double w : conv.weight.to_vector()) CHECK(std::fabs(w) <= 1.0 / std::sqrt(24.0));
  CHECK(conv.name() == "Conv1d(8, 6, kernel_size=3, padding=1)");
  CHECK(conv(randn({2, 8, 10})).shape() == Shape{2, 6, 10});
  CHECK(conv(randn({8, 10})).shape() == Shape{6, 10});
  CHECK(nn::MaxPool1d(2)(randn({2, 6, 10})).shape() == Shape{2, 6, 5});
  CHECK(nn::AdaptiveMaxPool1d(1)(randn({2, 6, 10})).shape() == Shape{2, 6, 1});
  // Max over time equals amax.
  const Tensor x = randn({2, 6, 10});
  CHECK(nn::adaptive_max_pool1d(x, 1).to_vector() == amax(x, -1).to_vector());
  CHECK_THROWS_AS(conv(randn({2, 7, 10})), ShapeError);
  CHECK_THROWS_AS(conv(randn({2, 8})), ShapeError);  // unbatched (C, L) with C = 2
  CHECK_THROWS_AS(conv(randn({2, 8, 10, 1})), ShapeError);
  CHECK_THROWS_AS(nn::conv1d(randn({1, 4, 2}), randn({2, 4, 5})), ShapeError);  // window too long
  CHECK_THROWS_AS(nn::Conv1d(8, 6, 3, nn::Conv1dOptions{1, 0, 1, 4, true}), ShapeError);
  CHECK_THROWS_AS(nn::max_pool1d(x, 2, nn::Pool1dOptions{2, 2}), ShapeError);  // padding > k/2
  CHECK_THROWS_AS(nn::adaptive_max_pool1d(x, 0), ShapeError);
}

TEST_CASE("conv: BatchNorm1d's running statistics, modes and buffers") {
  nn::BatchNorm1d bn(3, 1e-5, 0.5, true, true, DType::float64);
  const auto buffers = bn.named_buffers();
  REQUIRE(buffers.size() == 3);
  CHECK(buffers[0].first == "running_mean");
  CHECK(buffers[2].first == "num_batches_tracked");
  const Tensor x = Tensor::from({{1.0, 2.0, 3.0}, {3.0, 6.0, 3.0}});
  const Tensor y = bn(x);
  CHECK(y.to_vector()[0] == doctest::Approx(-1.0).epsilon(1e-4));            // (1 - 2) / 1
  CHECK(bn.running_mean.to_vector() == std::vector<double>{1.0, 2.0, 1.5});  // 0.5·0 + 0.5·mean
  // Unbiased batch variances 2, 8, 0 moved halfway from 1.
  CHECK(bn.running_var.to_vector() == std::vector<double>{1.5, 4.5, 0.5});
  CHECK(bn.num_batches_tracked.to_vector() == std::vector<double>{1.0});
  bn.eval();
  const Tensor z = bn(Tensor::from({{1.0, 2.0, 1.5}}));  // one row is fine in evaluation
  CHECK(z.to_vector()[0] == doctest::Approx(0.0));
  CHECK(bn.num_batches_tracked.to_vector() == std::vector<double>{1.0});
  bn.train();
  CHECK_THROWS_AS(bn(Tensor::from({{1.0, 2.0, 3.0}})), ShapeError);  // one value per channel
  CHECK_THROWS_AS(bn(randn({4, 2}, DType::float64)), ShapeError);
  CHECK(nn::BatchNorm1d(3, 1e-5, 0.1, false, false).named_buffers().empty());
  CHECK_THROWS_AS(nn::BatchNorm1d(3, 1e-5, 2.0), ValueError);
}

TEST_CASE("conv: a kernel of size 0 is refused, as PyTorch (issue #38)") {
  const Tensor x = zeros({1, 2, 8});
  CHECK_THROWS_WITH(nn::conv1d(x, zeros({6, 2, 0})),
                    doctest::Contains("conv1d: kernel size must be positive, weight is [6, 2, 0]"));
}

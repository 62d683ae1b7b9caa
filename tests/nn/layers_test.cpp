// SPDX-License-Identifier: MIT
// nn/layers.cpp: the layers.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numbers>
#include <thread>

#include "autograd/nn/nn.hpp"

using namespace ag;
using Args = std::vector<Tensor>;

TEST_CASE("layers: Linear uses PyTorch's default initialisation bounds") {
  nn::Linear layer(100, 50);
  const double bound = 1.0 / std::sqrt(100.0);
  for (double w : layer.weight.to_vector()) CHECK(std::fabs(w) <= bound);
  for (double b : layer.bias.to_vector()) CHECK(std::fabs(b) <= bound);
  CHECK_THROWS_AS((nn::Linear(0, 3)), ShapeError);
  CHECK_THROWS_AS(layer(ones({2, 99})), ShapeError);
}

TEST_CASE("layers: embedding layers: padding row, bags of fixed and varying length") {
  nn::Embedding emb(10, 4, 0);
  CHECK(emb.weight.at({0, 2}) == 0.0);
  CHECK(emb(index_tensor({3, 0}, {1, 2})).shape() == Shape{1, 2, 4});
  nn::EmbeddingBag bag(10, 3, nn::EmbeddingBag::Mode::mean);
  const Tensor fixed = bag(index_tensor({1, 2, 3, 4}, {2, 2}));
  const Tensor varying = bag.forward(index_tensor({1, 2, 3, 4}), index_tensor({0, 2}));
  CHECK(fixed.to_vector() == varying.to_vector());
  const Tensor three = bag.forward(index_tensor({1, 2, 3}), index_tensor({0, 1}));
  CHECK(three.at({1, 0}) == doctest::Approx((bag.weight.at({2, 0}) + bag.weight.at({3, 0})) / 2));
  CHECK_THROWS_AS(bag.forward(index_tensor({1}), index_tensor({0, 2})), IndexError);
  // mean bags {1, 2} and {3}: rows 1 and 2 get 1/2 each, row 3 gets 1
  sum(bag.forward(index_tensor({1, 2, 3}), index_tensor({0, 2}))).backward();
  CHECK(bag.weight.grad().at({1, 0}) == doctest::Approx(0.5));
  CHECK(bag.weight.grad().at({3, 2}) == doctest::Approx(1.0));
  CHECK(bag.weight.grad().at({0, 0}) == 0.0);
  nn::EmbeddingBag padded(10, 3, nn::EmbeddingBag::Mode::mean, false, DType::float32,
                          default_generator(), 0);
  const Tensor short_bag = padded(index_tensor({2, 3, 0, 0}, {1, 4}));
  const Tensor exact = padded(index_tensor({2, 3}, {1, 2}));
  CHECK(short_bag.to_vector() == exact.to_vector());  // padding neither adds nor counts
  nn::EmbeddingBag sparse_bag(10, 3, nn::EmbeddingBag::Mode::sum, true);
  sum(sparse_bag(index_tensor({4, 4, 5, 6}, {2, 2}))).backward();
  CHECK(sparse_bag.weight.sparse_grad().rows.numel() == 4);
}

TEST_CASE("layers: EmbeddingBag's max mode, per-sample weights, and calls with several inputs") {
  nn::EmbeddingBag bag(5, 2, nn::EmbeddingBag::Mode::max, false, DType::float64,
                       default_generator(), 0);
  bag.weight.assign(Tensor::from({{0.0, 0.0}, {1.0, -4.0}, {3.0, 2.0}, {-1.0, 5.0}, {2.0, 2.0}}));
  // bags {1, 2}, {} (empty), {0} (only padding), {3, 4}
  const Tensor out = bag(index_tensor({1, 2, 0, 3, 4}), index_tensor({0, 2, 2, 3}));
  CHECK(out.to_vector() == std::vector<double>{3, 2, 0, 0, 0, 0, 2, 5});
  CHECK(bag(index_tensor({1, 2, 3, 4}, {2, 2})).to_vector() == std::vector<double>{3, 2, 2, 5});
  nn::EmbeddingBag sum_bag(5, 2, nn::EmbeddingBag::Mode::sum, false, DType::float64);
  sum_bag.weight.assign(bag.weight);
  const Tensor scaled = sum_bag(index_tensor({1, 2}, {1, 2}), Tensor(), Tensor::from({{2.0, 0.5}}));
  CHECK(scaled.to_vector() == std::vector<double>{3.5, -7});
  CHECK_THROWS_AS(bag(index_tensor({1, 2}), index_tensor({0}), Tensor::from({1.0, 1.0})),
                  ValueError);  // per-sample weights need mode sum
  CHECK_THROWS_AS(sum_bag(index_tensor({1, 2}), index_tensor({0}), Tensor::from({1.0})),
                  ShapeError);
  CHECK_THROWS_AS(nn::Linear(2, 2)(ones({1, 2}), ones({1, 2})), GraphError);  // one input only
}

TEST_CASE("layers: Sequential of modules by value; operator() and forward_many") {
  nn::Sequential net(nn::Linear(2, 8), nn::ReLU(), nn::Linear(8, 1));
  CHECK(net.size() == 3);
  CHECK(net(ones({4, 2})).shape() == Shape{4, 1});
  const auto names = net.named_parameters();
  REQUIRE(names.size() == 4);
  CHECK(names[0].first == "0.weight");
  CHECK(names[3].first == "2.bias");
  CHECK(net.parameters()[0].label() == "0.weight");
  struct Add : nn::Module {  // two inputs
    Tensor forward_many(const std::vector<Tensor>& in) override { return in.at(0) + in.at(1); }
    std::string name() const override { return "Add"; }
  } add;
  CHECK(add(ones({2}), ones({2})).to_vector() == std::vector<double>{2, 2});
  CHECK_THROWS_AS(add(ones({2})), std::out_of_range);  // its own forward_many's check
  struct Nothing : nn::Module {
    std::string name() const override { return "Nothing"; }
  } nothing;
  CHECK_THROWS_WITH_AS(nothing(ones({2})), doctest::Contains("overrides neither"), GraphError);
}

TEST_CASE("layers: dropout scales in training and is the identity in evaluation") {
  Generator gen(3);
  nn::Dropout drop(0.25, gen);
  const Tensor x = ones({10000}, DType::float64);
  const auto kept = drop(x).to_vector();
  double zeros_seen = 0, total = 0;
  for (double v : kept) {
    zeros_seen += v == 0.0;
    total += v;
    CHECK((v == 0.0 || v == doctest::Approx(1.0 / 0.75)));
  }
  CHECK(zeros_seen / kept.size() == doctest::Approx(0.25).epsilon(0.1));
  CHECK(total / kept.size() == doctest::Approx(1.0).epsilon(0.05));
  // The gradient passes where a unit was kept, scaled alike, and is 0 elsewhere.
  const Tensor leaf = x.detach().requires_grad_();
  const Tensor weights = arange(0, 10000, 1, DType::float64);
  const Tensor y = drop(leaf);
  sum(y * weights).backward();
  CHECK(leaf.grad().to_vector() == (y * weights).to_vector());
  CHECK_THROWS_AS(drop(index_tensor({1, 2})), DTypeError);
  for (double v : drop(full({64}, INFINITY, DType::float64)).to_vector()) {
    CHECK((std::isnan(v) || v == INFINITY));  // x times the mask, as in PyTorch
  }
  drop.eval();
  CHECK(drop(x).to_vector() == x.to_vector());
}

TEST_CASE("layers: dropout keeps a unit exactly when T(uniform()) < 1 - p, as documented") {
  for (DType dtype : {DType::float32, DType::float64}) {
    for (double p : {0.5, 0.1, 0.3, 1e-9, 1 - 1e-9, 0.999999}) {
      Generator a(11), b(11);
      const auto mask = nn::dropout(ones({4000}, dtype), p, true, a).to_vector();
      for (double m : mask) {
        const double u = b.uniform();
        const bool kept =
            dtype == DType::float32 ? static_cast<float>(u) < static_cast<float>(1 - p) : u < 1 - p;
        REQUIRE((m != 0.0) == kept);
      }
    }
  }
}

TEST_CASE("layers: NaN and out-of-range settings are refused") {
  const double nan = std::nan("");
  CHECK_THROWS_AS(nn::Dropout{nan}, ValueError);  // p < 0 || p > 1 let NaN through
  CHECK_THROWS_AS(nn::dropout(ones({2}), nan, true), ValueError);
  CHECK_THROWS_AS(nn::Dropout{1.5}, ValueError);
  CHECK_THROWS_AS(nn::LayerNorm(4, nan), ValueError);
  CHECK_THROWS_AS(nn::LayerNorm(4, -1e-5), ValueError);
  CHECK_THROWS_AS(nn::Embedding(4, 2, 4), IndexError);
  CHECK_THROWS_AS(nn::EmbeddingBag(4, 2, nn::EmbeddingBag::Mode::sum, false, DType::float32,
                                   default_generator(), 7),
                  IndexError);
  nn::Embedding embedding(4, 2, -1);  // the last row, as PyTorch
  CHECK(embedding.weight.at({3, 0}) == 0.0);
  Tensor w = zeros({2, 3});
  CHECK_THROWS_AS(nn::init::normal_(w, 0.0, nan), ValueError);
  CHECK_THROWS_AS(nn::init::uniform_(w, 1.0, nan), ValueError);
  const Tensor p = ones({2}).requires_grad_();
  Tensor(p).set_grad(ones({2}));
  CHECK_THROWS_AS(optim::clip_grad_norm_({p}, nan), ValueError);
  CHECK_THROWS_AS(optim::clip_grad_value_({p}, -1.0), ValueError);
}

TEST_CASE(
    "layers: built on a thread that has ended, they draw from the running thread's default "
    "generator (issue #38: they kept a pointer to the builder's thread-local one)") {
  const Tensor x = ones({4, 64});
  Generator gen(9), own_gen(9);
  const nn::RecurrentOptions lstm_options{.num_layers = 2, .dropout = 0.5};
  std::unique_ptr<nn::Dropout> dropout;
  std::unique_ptr<nn::LSTM> lstm;
  std::unique_ptr<nn::DataLoader> loader;
  std::unique_ptr<nn::Dropout> own;  // given its own generator: keeps it
  std::thread([&] {
    dropout = std::make_unique<nn::Dropout>(0.5);
    lstm = std::make_unique<nn::LSTM>(3, 4, lstm_options);
    loader = std::make_unique<nn::DataLoader>(std::vector<Tensor>{arange(0, 8, 1)}, 8,
                                              nn::DataLoaderOptions{.shuffle = true});
    own = std::make_unique<nn::Dropout>(0.5, own_gen);
  }).join();
  // The same draws as a layer built here, from this thread's default generator.
  nn::Dropout here(0.5);
  manual_seed(4);
  const Tensor expected = here(x);
  manual_seed(4);
  CHECK(max(abs((*dropout)(x)-expected)).item<double>() == 0);
  manual_seed(4);
  loader->reshuffle();
  const Tensor order = loader->batch(0)[0];
  nn::DataLoader here_loader({arange(0, 8, 1)}, 8, {.shuffle = true});
  manual_seed(4);
  here_loader.reshuffle();
  CHECK(max(abs(here_loader.batch(0)[0] - order)).item<double>() == 0);
  lstm->train();
  CHECK(lstm->run(randn({5, 2, 3}, gen)).output.shape() == Shape{5, 2, 4});
  Generator same(9);
  nn::Dropout twin(0.5, same);
  CHECK(max(abs((*own)(x)-twin(x))).item<double>() == 0);
}

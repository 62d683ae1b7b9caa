// SPDX-License-Identifier: MIT
// Every loss and layer of nn/ against central differences, first and
// second derivatives (gradcheck and gradgradcheck), in float64, with
// respect to inputs and parameters.
#include "../ops/check.hpp"
#include "autograd/nn/nn.hpp"

TEST_CASE("losses: first and second derivatives") {
  const Tensor x = input({4, 3}), y = input({4, 3});
  const Tensor p = input({4, 3}, 0.1, 0.9), t = rand({4, 3}, test::gen(), DType::float64);
  const Tensor w = input({4, 3}, 0.5, 2.0).detach(), pw = input({3}, 0.5, 2.0).detach();
  for (nn::Reduction r : {nn::Reduction::mean, nn::Reduction::sum, nn::Reduction::none}) {
    check([r](const Args& a) { return nn::mse_loss(a[0], a[1], r); }, {x, y});
    check([r](const Args& a) { return nn::l1_loss(a[0], a[1], r); }, {x, y});
    check([&](const Args& a) { return nn::binary_cross_entropy(a[0], a[1], w, r); },
          {p, t.detach().requires_grad_()});
    check([&](const Args& a) { return nn::binary_cross_entropy_with_logits(a[0], a[1], w, pw, r); },
          {x, t.detach().requires_grad_()});
  }
  const Tensor spatial = input({2, 3, 4});
  const Tensor spatial_target = index_tensor({0, 2, 1, 1, 2, 0, 0, 1}, {2, 4});
  check([&](const Args& a) { return nn::cross_entropy(a[0], spatial_target); }, {spatial});
  check([&](const Args& a) { return nn::nll_loss(a[0], spatial_target, a[1]); },
        {spatial, input({3}, 0.5, 2.0)});
  const Tensor logits = input({5, 4});
  const Tensor classes = index_tensor({0, 3, 1, 3, 2}), weight = input({4}, 0.5, 2.0).detach();
  Tensor probs = softmax(input({5, 4}), 1).detach();
  check([&](const Args& a) { return nn::nll_loss(log_softmax(a[0], 1), classes, weight); },
        {logits});
  check([&](const Args& a) { return nn::cross_entropy(a[0], classes); }, {logits});
  check(
      [&](const Args& a) {
        return nn::cross_entropy(a[0], index_tensor({0, -100, 1, 3, 2}),
                                 {.weight = weight, .ignore_index = -100, .label_smoothing = 0.2});
      },
      {logits});
  check([&](const Args& a) { return nn::cross_entropy(a[0], a[1]); },
        {logits, probs.requires_grad_()});
}

TEST_CASE("layers: first and second derivatives, inputs and parameters") {
  nn::Linear linear(3, 2, true, DType::float64);
  check(
      [&](const Args& a) {
        linear.weight = a[1];
        linear.bias = a[2];
        return linear(a[0]);
      },
      {input({4, 3}), input({2, 3}), input({2})});
  nn::LayerNorm norm(4, 1e-5, true, DType::float64);
  check(
      [&](const Args& a) {
        norm.weight = a[1];
        norm.bias = a[2];
        return norm(a[0]);
      },
      {input({3, 4}), input({4}), input({4})});
  nn::Embedding embedding(6, 3, 2, false, DType::float64);
  check(
      [&](const Args& a) {
        embedding.weight = a[0];
        return embedding(index_tensor(
            {1, 3, 5, 3}, {2, 2}));  // not the padding row: by design it gets no gradient
      },
      {input({6, 3})});
  for (auto mode : {nn::EmbeddingBag::Mode::sum, nn::EmbeddingBag::Mode::mean}) {
    nn::EmbeddingBag bag(6, 3, mode, false, DType::float64, default_generator(), 0);
    check(
        [&](const Args& a) {
          bag.weight = a[0];
          return bag(index_tensor({1, 2, 0, 4, 4, 5}, {2, 3}));
        },
        {input({6, 3})});
    check(
        [&](const Args& a) {
          bag.weight = a[0];
          return bag.forward(index_tensor({1, 2, 3, 4, 4}), index_tensor({0, 2}));
        },
        {input({6, 3})});
  }
  nn::EmbeddingBag max_bag(6, 3, nn::EmbeddingBag::Mode::max, false, DType::float64,
                           default_generator(), 0);
  check(
      [&](const Args& a) {
        max_bag.weight = a[0];
        return max_bag(index_tensor({1, 2, 3, 4, 0, 5}), index_tensor({0, 2, 4, 5}));
      },
      {input({6, 3})});
  nn::EmbeddingBag weighted(6, 3, nn::EmbeddingBag::Mode::sum, false, DType::float64);
  check(
      [&](const Args& a) {
        weighted.weight = a[0];
        return weighted(index_tensor({1, 2, 3, 4, 4}), index_tensor({0, 2}), a[1]);
      },
      {input({6, 3}), input({5})});
  const Tensor x = input({3, 5});
  check(
      [](const Args& a) {
        Generator gen(5);  // the same mask in every evaluation
        return nn::dropout(a[0], 0.3, true, gen);
      },
      {x});
  for (const char* name : {"sigmoid", "tanh", "relu", "leaky_relu", "gelu", "identity"}) {
    CAPTURE(name);
    const auto act = nn::activation(name);
    check([&](const Args& a) { return (*act)(a[0]); }, {x});
  }
  nn::Softmax softmax_layer(1);
  check([&](const Args& a) { return softmax_layer(a[0]); }, {x});
  auto mlp = nn::MLP({5, 4, 2}, "tanh", "sigmoid", true, DType::float64);
  check([&](const Args& a) { return (*mlp)(a[0]); }, {x});
}

TEST_CASE("gradcheck: the smooth L1, Huber and KL losses of ports") {
  const Tensor a = input({3, 4}), b = input({3, 4});
  for (const nn::Reduction r : {nn::Reduction::mean, nn::Reduction::sum, nn::Reduction::none}) {
    check([&](const Args& x) { return nn::smooth_l1_loss(x[0], x[1], r, 0.5); }, {a, b});
    check([&](const Args& x) { return nn::huber_loss(x[0], x[1], r, 0.7); }, {a, b});
  }
  const Tensor logp = log_softmax(input({3, 4}), 1).detach().requires_grad_();
  const Tensor q = softmax(input({3, 4}), 1).detach().requires_grad_();
  check([&](const Args& x) { return nn::kl_div(x[0], x[1], nn::KLReduction::batchmean); },
        {logp, q});
  check([&](const Args& x) { return nn::kl_div(x[0], x[1], nn::KLReduction::sum, true); },
        {logp, log_softmax(input({3, 4}), 1).detach().requires_grad_()});
  CHECK_THROWS_AS(nn::smooth_l1_loss(a, b, nn::Reduction::mean, -1.0), ValueError);
  CHECK_THROWS_AS(nn::huber_loss(a, b, nn::Reduction::mean, 0.0), ValueError);
  CHECK_THROWS_AS(nn::kl_div(a, ones({2})), ShapeError);
}

// SPDX-License-Identifier: MIT
// nn/attention.cpp: gradients of any order for scaled dot-product and
// multi-head attention with masks, and for position embeddings; causality,
// PyTorch's names, errors. Values against PyTorch: tests/reference/layers.json.
#include "../ops/check.hpp"
#include "autograd/nn/nn.hpp"

TEST_CASE("attention: first and second derivatives, masks and causality") {
  const Tensor mask = Tensor::from({{true, false, true}, {true, true, false}});
  check([](const Args& a) { return nn::scaled_dot_product_attention(a[0], a[1], a[2]); },
        {input({2, 2, 4}), input({2, 3, 4}), input({2, 3, 2})});
  check([&](const Args& a) { return nn::scaled_dot_product_attention(a[0], a[1], a[2], mask); },
        {input({2, 4}), input({3, 4}), input({3, 2})});
  check(
      [](const Args& a) {
        return nn::scaled_dot_product_attention(a[0], a[1], a[2], a[3], 0.0, true);
      },
      {input({3, 2}), input({3, 2}), input({3, 2}), input({3, 3})});  // float mask + causal
  nn::MultiheadAttention mha(4, 2, 0.0, true, true, DType::float64);
  check(
      [&](const Args& a) {
        mha.in_proj_weight = a[1];
        mha.in_proj_bias = a[2];
        mha.out_proj->weight = a[3];
        return mha.attend(a[0], a[0], a[0], Tensor::from({{false, false, true}}), {}, false).output;
      },
      {input({1, 3, 4}), input({12, 4}), input({12}), input({4, 4})});
  nn::LearnedPositionalEmbedding learned(5, 3, DType::float64);
  check(
      [&](const Args& a) {
        learned.weight = a[1];
        return learned(a[0]);
      },
      {input({2, 4, 3}), input({5, 3})});
}

TEST_CASE("attention: a causal query ignores later keys; weights are distributions") {
  manual_seed(1);
  const Tensor q = randn({4, 3}), k = randn({4, 3}), v = randn({4, 2});
  const Tensor full_out = nn::scaled_dot_product_attention(q, k, v, {}, 0.0, true);
  const Tensor changed_v = cat({slice(v, 0, 0, 3), full({1, 2}, 100.0)}, 0);  // the last value
  const Tensor out = nn::scaled_dot_product_attention(q, k, changed_v, {}, 0.0, true);
  CHECK(slice(out, 0, 0, 3).to_vector() == slice(full_out, 0, 0, 3).to_vector());
  CHECK(select(out, 0, 3).to_vector() != select(full_out, 0, 3).to_vector());

  nn::MultiheadAttention mha(8, 2);
  const auto names = mha.named_parameters();
  REQUIRE(names.size() == 4);
  CHECK(names[0].first == "in_proj_weight");
  CHECK(names[1].first == "in_proj_bias");
  CHECK(names[2].first == "out_proj.weight");
  CHECK(names[3].first == "out_proj.bias");
  const Tensor x = randn({5, 3, 8});  // (L, N, E)
  const nn::AttentionOutput a = mha.attend(x, x, x);
  CHECK(a.output.shape() == Shape{5, 3, 8});
  CHECK(a.weights.shape() == Shape{3, 5, 5});
  for (double s : sum(a.weights, -1).to_vector()) CHECK(s == doctest::Approx(1.0));
  CHECK(mha.attend(x, x, x, {}, {}, true, false).weights.shape() == Shape{3, 2, 5, 5});
  CHECK(mha(select(x, 1, 0)).shape() == Shape{5, 8});  // unbatched
  CHECK_THROWS_AS(nn::MultiheadAttention(8, 3), ShapeError);
  CHECK_THROWS_AS(mha(randn({5, 3, 7})), ShapeError);
  CHECK_THROWS_AS(mha.attend(x, x, x, zeros({3, 4}).to(DType::boolean)), ShapeError);
  CHECK_THROWS_AS(mha.attend(x, x, x, {}, zeros({5, 4})), ShapeError);
  CHECK_THROWS_AS(nn::scaled_dot_product_attention(q, randn({4, 2}), v), ShapeError);

  const Tensor pe = nn::sinusoidal_positions(3, 4, DType::float64);
  CHECK(pe.to_vector()[0] == 0.0);  // sin(0)
  CHECK(pe.to_vector()[1] == 1.0);  // cos(0)
  CHECK(pe.to_vector()[4] == doctest::Approx(std::sin(1.0)));
  CHECK(pe.to_vector()[6] == doctest::Approx(std::sin(0.01)));  // 1 / 10000^(2/4)
  nn::SinusoidalPositionalEncoding encode(4, 10);
  CHECK(encode(zeros({2, 3, 4})).shape() == Shape{2, 3, 4});
  CHECK(encode.named_parameters().empty());
  CHECK_THROWS_AS(encode(zeros({11, 4})), ShapeError);
  CHECK_THROWS_AS(nn::LearnedPositionalEmbedding(4, 2)(zeros({5, 2})), ShapeError);
}

TEST_CASE("attention, rnn, conv: float32 runs agree with float64 ones") {
  manual_seed(6);
  nn::RecurrentOptions options;
  options.bidirectional = true;
  options.batch_first = true;
  nn::GRU gru(4, 8, options, DType::float64);
  nn::MultiheadAttention mha(16, 4, 0.0, true, true, DType::float64);
  nn::Conv1d conv(16, 6, 3, {}, DType::float64);
  nn::BatchNorm1d norm(6, 1e-5, 0.1, true, true, DType::float64);
  const Tensor x = randn({3, 9, 4}, DType::float64), lengths = Tensor::from({9, 4, 6});
  auto run = [&](const Tensor& in) {
    const Tensor h = gru.run(in, lengths).output;
    return norm(conv(transpose(mha.attend(h, h, h).output, 1, 2)));
  };
  const std::vector<double> wide = run(x).to_vector();
  for (nn::Module* m : std::initializer_list<nn::Module*>{&gru, &mha, &conv, &norm}) {
    m->to(DType::float32);
  }
  const Tensor narrow = run(x.to(DType::float32));
  CHECK(narrow.dtype() == DType::float32);
  const std::vector<double> got = narrow.to_vector();
  for (std::size_t i = 0; i < wide.size(); ++i)
    CHECK(got[i] == doctest::Approx(wide[i]).epsilon(1e-4));
}

TEST_CASE("attention: positional tables past the size limit are a ShapeError (issue #38)") {
  // length·dim wrapped to 0, then the table loop wrote past an empty vector.
  CHECK_THROWS_AS(nn::SinusoidalPositionalEncoding(4, std::int64_t{1} << 62), ShapeError);
  CHECK_THROWS_WITH(
      nn::sinusoidal_positions(std::int64_t{1} << 50, 1),
      doctest::Contains("sinusoidal_positions: shape [1125899906842624, 1] has too many"));
  CHECK(nn::sinusoidal_positions(3, 4).shape() == Shape{3, 4});
}

TEST_CASE("attention: a float key_padding_mask is added to the scores, as PyTorch (issue #38)") {
  Generator gen(3);
  nn::MultiheadAttention mha(4, 2, 0.0, true, false, DType::float64, gen);
  const Tensor x = randn({3, 2, 4}, gen, DType::float64);  // (L, N, E)
  const Tensor blocked = Tensor::from({{false, false, true}, {false, true, false}});
  const Tensor additive =
      where(blocked, full({}, -INFINITY, DType::float64), zeros({}, DType::float64));
  const Tensor by_bool = mha.attend(x, x, x, blocked).output;
  const Tensor by_float = mha.attend(x, x, x, additive).output;
  CHECK(max(abs(by_bool - by_float)).item<double>() < 1e-15);
  CHECK_THROWS_WITH(mha.attend(x, x, x, zeros({2, 3}, DType::int64)),
                    doctest::Contains("key_padding_mask must be bool or float64"));
  CHECK_THROWS_WITH(mha.attend(x, x, x, zeros({3, 2})),
                    doctest::Contains("key_padding_mask must be [2, 3], got [3, 2]"));
}

// SPDX-License-Identifier: MIT
// nn/rnn.cpp: RNN, LSTM and GRU layers: gradients of any order through
// packed batches, both directions and stacked layers; packing equals one
// sequence at a time; PyTorch's names; errors. Values against PyTorch:
// tests/reference/layers.json.
#include "../ops/check.hpp"
#include "autograd/nn/nn.hpp"

namespace {
// Weights for `kind` in recurrent()'s order, as leaves.
Args weights(nn::CellKind kind, std::int64_t in, std::int64_t hidden, std::int64_t layers,
             bool bidirectional) {
  Args w;
  const std::int64_t rows = nn::gate_count(kind) * hidden, dirs = bidirectional ? 2 : 1;
  for (std::int64_t l = 0; l < layers; ++l) {
    for (std::int64_t d = 0; d < dirs; ++d) {
      w.push_back(input({rows, l == 0 ? in : dirs * hidden}, -0.8, 0.8));
      w.push_back(input({rows, hidden}, -0.8, 0.8));
      w.push_back(input({rows}, -0.8, 0.8));
      w.push_back(input({rows}, -0.8, 0.8));
    }
  }
  return w;
}
}  // namespace

TEST_CASE("rnn: first and second derivatives through packed, bidirectional, stacked layers") {
  const Tensor lengths = Tensor::from({2, 3, 1});
  for (nn::CellKind kind : {nn::CellKind::lstm, nn::CellKind::gru, nn::CellKind::rnn_tanh}) {
    CAPTURE(static_cast<int>(kind));
    nn::RecurrentOptions options;
    options.num_layers = 2;
    options.bidirectional = true;
    Args args{input({3, 3, 2})};  // (time, batch, features)
    const Args w = weights(kind, 2, 2, 2, true);
    args.insert(args.end(), w.begin(), w.end());
    for (bool final_state : {false, true}) {
      check(
          [&](const Args& a) {
            const nn::RecurrentOutput out =
                nn::recurrent(kind, a[0], Args(a.begin() + 1, a.end()), options, false, lengths);
            return final_state ? (out.c_n.defined() ? out.c_n : out.h_n) : out.output;
          },
          args);
    }
  }
}

TEST_CASE("rnn: a packed batch equals its sequences run one at a time") {
  manual_seed(5);
  nn::RecurrentOptions options;
  options.bidirectional = true;
  options.batch_first = true;
  nn::LSTM lstm(3, 4, options, DType::float64);
  const Tensor x = randn({3, 5, 3}, DType::float64);
  const std::vector<std::int64_t> lengths{2, 5, 3};
  const nn::RecurrentOutput packed = lstm.run(x, Tensor::from(lengths, {3}));
  for (std::int64_t b = 0; b < 3; ++b) {
    const std::int64_t n = lengths[static_cast<std::size_t>(b)];
    const Tensor one = slice(select(x, 0, b), 0, 0, n);  // (time, features), unbatched
    const nn::RecurrentOutput alone = lstm.run(unsqueeze(one, 0));
    const Tensor got = slice(select(packed.output, 0, b), 0, 0, n);
    const std::vector<double> g = got.to_vector(), w = select(alone.output, 0, 0).to_vector();
    for (std::size_t i = 0; i < w.size(); ++i) CHECK(g[i] == doctest::Approx(w[i]).epsilon(1e-12));
    const std::vector<double> gh = select(packed.h_n, 1, b).to_vector();
    const std::vector<double> wh = select(alone.h_n, 1, 0).to_vector();
    for (std::size_t i = 0; i < wh.size(); ++i)
      CHECK(gh[i] == doctest::Approx(wh[i]).epsilon(1e-12));
    // Past its length a sequence's output is zero.
    for (double v : slice(select(packed.output, 0, b), 0, n, 5).to_vector()) CHECK(v == 0.0);
  }
}

TEST_CASE("rnn: PyTorch's names, shapes, modes and errors") {
  manual_seed(2);
  nn::RecurrentOptions options;
  options.num_layers = 2;
  options.bidirectional = true;
  options.dropout = 0.5;
  nn::GRU gru(4, 3, options);
  const auto names = gru.named_parameters();
  REQUIRE(names.size() == 16);
  CHECK(names[0].first == "weight_ih_l0");
  CHECK(names[4].first == "weight_ih_l0_reverse");
  CHECK(names[8].second.shape() == Shape{9, 6});  // weight_ih_l1 reads both directions
  CHECK(names[15].first == "bias_hh_l1_reverse");
  CHECK(gru.name() == "GRU(4, 3, num_layers=2, dropout=0.5, bidirectional=true)");
  const Tensor x = randn({5, 2, 4});
  const nn::RecurrentOutput out = gru.run(x);
  CHECK(out.output.shape() == Shape{5, 2, 6});
  CHECK(out.h_n.shape() == Shape{4, 2, 3});
  CHECK(!out.c_n.defined());
  gru.eval();  // no dropout: the same twice
  CHECK(gru(x).to_vector() == gru(x).to_vector());
  gru.train();
  CHECK(gru(x).to_vector() != gru(x).to_vector());
  CHECK(gru(select(x, 1, 0)).shape() == Shape{5, 6});  // unbatched
  nn::LSTM lstm(4, 3);
  CHECK(lstm({x, Tensor::from({5, 3}), zeros({1, 2, 3}), zeros({1, 2, 3})}).shape() ==
        Shape{5, 2, 3});
  CHECK_THROWS_AS(lstm(x, Tensor::from({6, 3})), ValueError);  // longer than time
  CHECK_THROWS_AS(lstm(x, Tensor::from({0, 3})), ValueError);
  CHECK_THROWS_AS(lstm(x, Tensor::from({5, 3, 1})), ShapeError);
  CHECK_THROWS_AS(lstm(x, Tensor(), zeros({2, 2, 3})), ShapeError);
  CHECK_THROWS_AS(lstm(randn({5, 2, 3})), ShapeError);
  CHECK_THROWS_AS(gru({x, Tensor(), Tensor(), zeros({4, 2, 3})}), GraphError);  // GRU has no c0
  CHECK_THROWS_AS(nn::RNN(4, 3, {}, "sigmoid"), ValueError);
  options.num_layers = 0;
  CHECK_THROWS_AS(nn::LSTM(4, 3, options), ValueError);
}

TEST_CASE("rnn: the wrong input size says which one the layer expects (issue #38)") {
  nn::LSTM lstm(3, 4);
  CHECK_THROWS_WITH(lstm.run(zeros({5, 2, 7})), doctest::Contains("expected input size 3, got 7"));
  nn::GRU gru(3, 4, {.num_layers = 2});
  CHECK_THROWS_WITH(gru.run(zeros({5, 7})), doctest::Contains("expected input size 3, got 7"));
}

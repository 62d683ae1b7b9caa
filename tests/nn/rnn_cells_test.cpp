// SPDX-License-Identifier: MIT
// nn/rnn_cells.cpp: the cells' gradients of any order (inputs, state and
// parameters), PyTorch's names and layouts, and their errors. Values
// against PyTorch: tests/reference/ops.json (rnn_cell, lstm_cell, gru_cell).
#include "../ops/check.hpp"
#include "autograd/nn/nn.hpp"

namespace {
// The cell's parameters replaced by the leaves given, so gradcheck varies them.
void use(nn::RecurrentCell& cell, const Args& a, std::size_t from) {
  cell.weight_ih = a[from];
  cell.weight_hh = a[from + 1];
  cell.bias_ih = a[from + 2];
  cell.bias_hh = a[from + 3];
}
}  // namespace

TEST_CASE("recurrent: cells' first and second derivatives, batched and not") {
  const std::int64_t in = 3, hidden = 2;
  nn::RNNCell rnn(in, hidden, true, "tanh", DType::float64);
  check(
      [&](const Args& a) {
        use(rnn, a, 2);
        return rnn.step(a[0], a[1]);
      },
      {input({4, in}), input({4, hidden}), input({hidden, in}), input({hidden, hidden}),
       input({hidden}), input({hidden})});
  nn::RNNCell relu_rnn(in, hidden, false, "relu", DType::float64);
  check([&](const Args& a) { return relu_rnn.step(a[0]); }, {input({in})});
  nn::LSTMCell lstm(in, hidden, true, DType::float64);
  for (bool cell_state : {false, true}) {
    check(
        [&](const Args& a) {
          use(lstm, a, 3);
          const nn::LSTMState s = lstm.step(a[0], {a[1], a[2]});
          return cell_state ? s.c : s.h;
        },
        {input({4, in}), input({4, hidden}), input({4, hidden}), input({4 * hidden, in}),
         input({4 * hidden, hidden}), input({4 * hidden}), input({4 * hidden})});
  }
  nn::GRUCell gru(in, hidden, true, DType::float64);
  check(
      [&](const Args& a) {
        use(gru, a, 2);
        return gru.step(a[0], a[1]);
      },
      {input({in}), input({hidden}), input({3 * hidden, in}), input({3 * hidden, hidden}),
       input({3 * hidden}), input({3 * hidden})});
}

TEST_CASE("recurrent: PyTorch's names, shapes and initialisation; states and errors") {
  manual_seed(3);
  nn::LSTMCell lstm(5, 4);
  const auto names = lstm.named_parameters();
  REQUIRE(names.size() == 4);
  CHECK(names[0].first == "weight_ih");
  CHECK(names[0].second.shape() == Shape{16, 5});
  CHECK(names[3].first == "bias_hh");
  for (double w : lstm.weight_hh.to_vector()) CHECK(std::fabs(w) <= 0.5);  // 1/sqrt(4)
  CHECK(nn::GRUCell(5, 4).weight_ih.shape() == Shape{12, 5});
  CHECK(nn::RNNCell(5, 4, false).named_parameters().size() == 2);
  const Tensor x = randn({3, 5});
  const nn::LSTMState s = lstm.step(x);
  CHECK(s.h.shape() == Shape{3, 4});
  CHECK(lstm(x).to_vector() == s.h.to_vector());            // zero state
  CHECK(lstm(x, s.h, s.c).shape() == Shape{3, 4});          // operator() with a state
  CHECK(lstm.step(select(x, 0, 0)).h.shape() == Shape{4});  // unbatched
  nn::GRUCell gru(5, 4);
  CHECK(gru(x, gru(x)).shape() == Shape{3, 4});
  CHECK_THROWS_AS(lstm(randn({3, 6})), ShapeError);
  CHECK_THROWS_AS(lstm.step(x, {zeros({3, 5}), zeros({3, 4})}), ShapeError);
  CHECK_THROWS_AS(lstm(x, x), GraphError);  // (x, h) without c
  CHECK_THROWS_AS(nn::RNNCell(5, 4, true, "sigmoid"), ValueError);
  CHECK_THROWS_AS(nn::GRUCell(0, 4), ShapeError);
}

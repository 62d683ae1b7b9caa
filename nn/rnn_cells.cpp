// SPDX-License-Identifier: MIT
#include "autograd/nn/rnn_cells.hpp"

#include <cmath>

#include "autograd/nn/rnn_step.hpp"

namespace ag::nn {

std::int64_t gate_count(CellKind kind) {
  return kind == CellKind::lstm ? 4 : kind == CellKind::gru ? 3 : 1;
}

LSTMState cell_step(CellKind kind, const Tensor& xw, const Tensor& hw, const LSTMState& state) {
  switch (kind) {
    case CellKind::rnn_tanh:
      return {tanh(xw + hw), {}};
    case CellKind::rnn_relu:
      return {relu(xw + hw), {}};
    case CellKind::lstm: {
      const std::vector<Tensor> gates = chunk(xw + hw, 4, -1);  // i, f, g, o
      const Tensor c = sigmoid(gates[1]) * state.c + sigmoid(gates[0]) * tanh(gates[2]);
      return {sigmoid(gates[3]) * tanh(c), c};
    }
    case CellKind::gru: {
      const std::vector<Tensor> xi = chunk(xw, 3, -1);  // r, z, n
      const std::vector<Tensor> hh = chunk(hw, 3, -1);
      const Tensor r = sigmoid(xi[0] + hh[0]);
      const Tensor z = sigmoid(xi[1] + hh[1]);
      const Tensor n = tanh(xi[2] + r * hh[2]);
      return {(1.0 - z) * n + z * state.h, {}};
    }
  }
  return {};
}

RecurrentCell::RecurrentCell(std::int64_t input_size, std::int64_t hidden_size, std::int64_t gates,
                             bool bias, DType dtype, Generator& gen, const char* cell)
    : input_size_(input_size), hidden_size_(hidden_size), cell_(cell) {
  if (input_size <= 0 || hidden_size <= 0) {
    detail::fail<ShapeError>("{}: sizes must be positive, got input {} and hidden {}", cell,
                             input_size, hidden_size);
  }
  const double k = 1.0 / std::sqrt(static_cast<double>(hidden_size));
  const std::int64_t rows = gates * hidden_size;
  weight_ih = register_parameter("weight_ih", rand({rows, input_size}, gen, dtype, -k, k));
  weight_hh = register_parameter("weight_hh", rand({rows, hidden_size}, gen, dtype, -k, k));
  if (bias) {
    bias_ih = register_parameter("bias_ih", rand({rows}, gen, dtype, -k, k));
    bias_hh = register_parameter("bias_hh", rand({rows}, gen, dtype, -k, k));
  }
}

Tensor RecurrentCell::input_part(const Tensor& x) const {
  if ((x.dim() != 1 && x.dim() != 2) || x.shape().back() != input_size_) {
    detail::fail<ShapeError>("{}: input must be (batch, {}) or ({}), got {}", cell_, input_size_,
                             input_size_, x.shape());
  }
  return linear(x, weight_ih, bias_ih);
}

Tensor RecurrentCell::hidden_part(const Tensor& h) const { return linear(h, weight_hh, bias_hh); }

Tensor RecurrentCell::zero_state(const Tensor& x) const {
  Shape shape = x.shape();
  shape.back() = hidden_size_;
  return zeros(shape, weight_ih.dtype());
}

namespace {
// The state given, or zeros; ShapeError if it does not fit the input.
Tensor state_or_zeros(const Tensor& h, const Tensor& zero, const char* cell) {
  if (!h.defined()) return zero;
  if (h.shape() != zero.shape()) {
    detail::fail<ShapeError>("{}: the state must be {}, got {}", cell, zero.shape(), h.shape());
  }
  return h;
}
}  // namespace

RNNCell::RNNCell(std::int64_t input_size, std::int64_t hidden_size, bool bias,
                 const std::string& nonlinearity, DType dtype, Generator& gen)
    : RecurrentCell(input_size, hidden_size, 1, bias, dtype, gen, "RNNCell"),
      relu_(nonlinearity == "relu") {
  if (nonlinearity != "tanh" && nonlinearity != "relu") {
    detail::fail<ValueError>("RNNCell: nonlinearity '{}' is not tanh or relu", nonlinearity);
  }
}

Tensor RNNCell::step(const Tensor& x, const Tensor& h_in) {
  const Tensor in = input_part(x);
  const Tensor h = state_or_zeros(h_in, zero_state(x), "RNNCell");
  return cell_step(relu_ ? CellKind::rnn_relu : CellKind::rnn_tanh, in, hidden_part(h),
                   {h, Tensor()})
      .h;
}

Tensor RNNCell::forward_many(const std::vector<Tensor>& inputs) {
  if (inputs.empty() || inputs.size() > 2) {
    detail::fail<GraphError>("RNNCell: takes (x) or (x, h), not {} inputs", inputs.size());
  }
  return step(inputs[0], inputs.size() > 1 ? inputs[1] : Tensor());
}

std::string RNNCell::name() const {
  return fmt::format("RNNCell({}, {}{})", input_size(), hidden_size(),
                     relu_ ? ", nonlinearity=relu" : "");
}

LSTMCell::LSTMCell(std::int64_t input_size, std::int64_t hidden_size, bool bias, DType dtype,
                   Generator& gen)
    : RecurrentCell(input_size, hidden_size, 4, bias, dtype, gen, "LSTMCell") {}

LSTMState LSTMCell::step(const Tensor& x, const LSTMState& state) {
  const Tensor in = input_part(x);
  const Tensor zero = zero_state(x);
  const Tensor h = state_or_zeros(state.h, zero, "LSTMCell");
  const Tensor c = state_or_zeros(state.c, zero, "LSTMCell");
  return cell_step(CellKind::lstm, in, hidden_part(h), {h, c});
}

Tensor LSTMCell::forward_many(const std::vector<Tensor>& inputs) {
  if (inputs.size() != 1 && inputs.size() != 3) {
    detail::fail<GraphError>("LSTMCell: takes (x) or (x, h, c), not {} inputs", inputs.size());
  }
  return inputs.size() == 1 ? step(inputs[0]).h : step(inputs[0], {inputs[1], inputs[2]}).h;
}

std::string LSTMCell::name() const {
  return fmt::format("LSTMCell({}, {})", input_size(), hidden_size());
}

GRUCell::GRUCell(std::int64_t input_size, std::int64_t hidden_size, bool bias, DType dtype,
                 Generator& gen)
    : RecurrentCell(input_size, hidden_size, 3, bias, dtype, gen, "GRUCell") {}

Tensor GRUCell::step(const Tensor& x, const Tensor& h_in) {
  const Tensor h = state_or_zeros(h_in, zero_state(x), "GRUCell");
  return cell_step(CellKind::gru, input_part(x), hidden_part(h), {h, Tensor()}).h;
}

Tensor GRUCell::forward_many(const std::vector<Tensor>& inputs) {
  if (inputs.empty() || inputs.size() > 2) {
    detail::fail<GraphError>("GRUCell: takes (x) or (x, h), not {} inputs", inputs.size());
  }
  return step(inputs[0], inputs.size() > 1 ? inputs[1] : Tensor());
}

std::string GRUCell::name() const {
  return fmt::format("GRUCell({}, {})", input_size(), hidden_size());
}

}  // namespace ag::nn

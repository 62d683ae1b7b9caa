// SPDX-License-Identifier: MIT
// Recurrent cells: one step of an Elman RNN, an LSTM and a GRU, with
// PyTorch's parameter names, layouts, gate order and initialisation, so
// weights load from PyTorch (state_dict / safetensors). Each step is a
// composition of linear, sigmoid, tanh and elementwise ops: gradients of
// any order come from those.
#pragma once

#include <string>

#include "autograd/nn/module.hpp"
#include "autograd/ops.hpp"

namespace ag::nn {

/// Which recurrence a cell or layer computes.
enum class CellKind {
  rnn_tanh,  ///< h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)
  rnn_relu,  ///< the same with relu
  lstm,      ///< gates i, f, g, o
  gru,       ///< gates r, z, n
};
/// Gate blocks in the rows of W_ih and W_hh: 1, 1, 4, 3.
std::int64_t gate_count(CellKind kind);

/// An LSTM's state: the output h and the cell c (undefined for the others).
struct LSTMState {
  Tensor h;  ///< (batch, hidden) or (hidden)
  Tensor c;  ///< the same shape
};

/// The parameters every cell has: weight_ih (gates·hidden, input),
/// weight_hh (gates·hidden, hidden), bias_ih and bias_hh (gates·hidden),
/// all uniform in ±1/√hidden as PyTorch's.
class RecurrentCell : public Module {
 public:
  Tensor weight_ih;  ///< (gates·hidden_size, input_size)
  Tensor weight_hh;  ///< (gates·hidden_size, hidden_size)
  Tensor bias_ih;    ///< (gates·hidden_size); undefined without bias
  Tensor bias_hh;    ///< (gates·hidden_size); undefined without bias
  std::int64_t input_size() const { return input_size_; }    ///< features per step
  std::int64_t hidden_size() const { return hidden_size_; }  ///< state size

 protected:
  /// Registers the four parameters for `gates` gates.
  RecurrentCell(std::int64_t input_size, std::int64_t hidden_size, std::int64_t gates, bool bias,
                DType dtype, Generator& gen, const char* cell);
  /// x W_ih^T + b_ih (x is (batch, input) or (input), checked) and h W_hh^T + b_hh.
  ///@{
  Tensor input_part(const Tensor& x) const;
  Tensor hidden_part(const Tensor& h) const;
  ///@}
  /// Zeros shaped as the state for input x.
  Tensor zero_state(const Tensor& x) const;

 private:
  std::int64_t input_size_, hidden_size_;
  const char* cell_;
};

/// h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu): torch.nn.RNNCell.
class RNNCell : public RecurrentCell {
 public:
  /// A cell from input_size to hidden_size features; `nonlinearity` is
  /// "tanh" or "relu".
  RNNCell(std::int64_t input_size, std::int64_t hidden_size, bool bias = true,
          const std::string& nonlinearity = "tanh", DType dtype = default_dtype(),
          Generator& gen = default_generator());
  /// The next state from x and the state h (undefined: zeros).
  Tensor step(const Tensor& x, const Tensor& h = Tensor());
  Tensor forward(const Tensor& x) override { return step(x); }
  /// (x) or (x, h).
  Tensor forward_many(const std::vector<Tensor>& inputs) override;
  std::string name() const override;

 private:
  bool relu_;
};

/// torch.nn.LSTMCell: gates i, f, g, o in that order along the rows of the
/// weights; c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c').
class LSTMCell : public RecurrentCell {
 public:
  /// A cell from input_size to hidden_size features.
  LSTMCell(std::int64_t input_size, std::int64_t hidden_size, bool bias = true,
           DType dtype = default_dtype(), Generator& gen = default_generator());
  /// The next state from x and `state` (undefined h and c: zeros).
  LSTMState step(const Tensor& x, const LSTMState& state = {});
  /// h' from a zero state.
  Tensor forward(const Tensor& x) override { return step(x).h; }
  /// (x), (x, h, c): h'.
  Tensor forward_many(const std::vector<Tensor>& inputs) override;
  std::string name() const override;
};

/// torch.nn.GRUCell: gates r, z, n in that order; r = σ(.), z = σ(.),
/// n = tanh(x W_in^T + b_in + r·(h W_hn^T + b_hn)), h' = (1-z)·n + z·h.
class GRUCell : public RecurrentCell {
 public:
  /// A cell from input_size to hidden_size features.
  GRUCell(std::int64_t input_size, std::int64_t hidden_size, bool bias = true,
          DType dtype = default_dtype(), Generator& gen = default_generator());
  /// The next state from x and the state h (undefined: zeros).
  Tensor step(const Tensor& x, const Tensor& h = Tensor());
  Tensor forward(const Tensor& x) override { return step(x); }
  /// (x) or (x, h).
  Tensor forward_many(const std::vector<Tensor>& inputs) override;
  std::string name() const override;
};

}  // namespace ag::nn

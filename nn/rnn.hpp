// SPDX-License-Identifier: MIT
// Recurrent layers over whole sequences: RNN, LSTM and GRU with several
// layers, both directions and dropout between layers, as torch.nn's, with
// its parameter names (weight_ih_l0, weight_hh_l1_reverse, ...).
//
// Sequences of different lengths share one batch without computing on
// padding: given `lengths`, the batch is packed as PyTorch's
// PackedSequence: sorted by length, step t runs the cell on the first
// b_t rows only (the sequences still going), and each sequence's final
// state is taken at its own last step. One sequence at a time (batch 1,
// no lengths) is the other way: one dynamic graph per sentence.
#pragma once

#include <string>
#include <vector>

#include "autograd/generator.hpp"
#include "autograd/nn/module.hpp"
#include "autograd/nn/rnn_cells.hpp"

namespace ag::nn {

/// What torch.nn.RNN/LSTM/GRU take besides the sizes.
struct RecurrentOptions {
  std::int64_t num_layers = 1;  ///< stacked layers; layer k > 0 reads layer k-1's output
  bool bias = true;             ///< b_ih and b_hh in every layer
  bool batch_first = false;     ///< input and output (batch, time, features)
  double dropout = 0.0;         ///< on each layer's output but the last, in training
  bool bidirectional = false;   ///< a second pass from each sequence's end
};

/// A sequence layer's results, as PyTorch's (output, h_n) or (output, (h_n, c_n)).
struct RecurrentOutput {
  /// (time, batch, directions·hidden) (batch first if asked); zero past
  /// each sequence's length.
  Tensor output;
  /// (layers·directions, batch, hidden): each sequence's state after its
  /// last step (the reverse direction: after its first).
  Tensor h_n;
  /// The LSTM's cells, as h_n; undefined for RNN and GRU.
  Tensor c_n;
};

/// The functional form of the layers: `weights` holds, for each layer and
/// direction in that order, W_ih, W_hh and (with bias) b_ih, b_hh, in
/// PyTorch's layouts. input is (time, batch, input) (or batch first, or
/// (time, input) unbatched); `lengths` (int64, one per sequence, each in
/// [1, time]) packs the batch, undefined means every sequence is full
/// length. h0 and c0 are (layers·directions, batch, hidden), zeros when
/// undefined. `training` turns the between-layer dropout on, drawn from gen.
RecurrentOutput recurrent(CellKind kind, const Tensor& input, const std::vector<Tensor>& weights,
                          const RecurrentOptions& options, bool training = false,
                          const Tensor& lengths = Tensor(), const Tensor& h0 = Tensor(),
                          const Tensor& c0 = Tensor(), Generator& gen = default_generator());

/// What RNN, LSTM and GRU share: the parameters and the packed run.
class Recurrent : public Module {
 public:
  /// Runs the layer over `input`; see recurrent() for the shapes.
  RecurrentOutput run(const Tensor& input, const Tensor& lengths = Tensor(),
                      const Tensor& h0 = Tensor(), const Tensor& c0 = Tensor());
  /// The output sequence, from zero states and full lengths.
  Tensor forward(const Tensor& input) override { return run(input).output; }
  /// (input), (input, lengths), (input, lengths, h0) or, for an LSTM,
  /// (input, lengths, h0, c0): the output sequence.
  Tensor forward_many(const std::vector<Tensor>& inputs) override;
  std::string name() const override;
  std::int64_t input_size() const { return input_size_; }       ///< features per step
  std::int64_t hidden_size() const { return hidden_size_; }     ///< state size
  const RecurrentOptions& options() const { return options_; }  ///< as constructed
  /// Every weight in recurrent()'s order (the registered parameters).
  const std::vector<Tensor>& all_weights() const { return weights_; }

 protected:
  /// Registers uniform(±1/√hidden) weights named as PyTorch's.
  Recurrent(CellKind kind, std::int64_t input_size, std::int64_t hidden_size,
            const RecurrentOptions& options, DType dtype, Generator& gen, const char* layer);

 private:
  CellKind kind_;
  std::int64_t input_size_, hidden_size_;
  RecurrentOptions options_;
  std::vector<Tensor> weights_;
  Generator* gen_;  // keep_generator(): nullptr draws from the running thread's default
  const char* layer_;
};

/// torch.nn.RNN: an Elman network, `nonlinearity` "tanh" or "relu".
class RNN : public Recurrent {
 public:
  /// A layer from input_size to hidden_size features.
  RNN(std::int64_t input_size, std::int64_t hidden_size, const RecurrentOptions& options = {},
      const std::string& nonlinearity = "tanh", DType dtype = default_dtype(),
      Generator& gen = default_generator());
};

/// torch.nn.LSTM (without proj_size).
class LSTM : public Recurrent {
 public:
  /// A layer from input_size to hidden_size features.
  LSTM(std::int64_t input_size, std::int64_t hidden_size, const RecurrentOptions& options = {},
       DType dtype = default_dtype(), Generator& gen = default_generator());
};

/// torch.nn.GRU.
class GRU : public Recurrent {
 public:
  /// A layer from input_size to hidden_size features.
  GRU(std::int64_t input_size, std::int64_t hidden_size, const RecurrentOptions& options = {},
      DType dtype = default_dtype(), Generator& gen = default_generator());
};

}  // namespace ag::nn

// SPDX-License-Identifier: MIT
// One recurrent step from its two projections: what the cells
// (rnn_cells.cpp) and the sequence layers (rnn.cpp) share. Internal.
#pragma once

#include "autograd/nn/rnn_cells.hpp"

namespace ag::nn {

/// The next state from xw = x W_ih^T + b_ih and hw = h W_hh^T + b_hh, where
/// h = state.h (and state.c for an LSTM).
LSTMState cell_step(CellKind kind, const Tensor& xw, const Tensor& hw, const LSTMState& state);

}  // namespace ag::nn

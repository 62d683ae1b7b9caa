// SPDX-License-Identifier: MIT
// The nn module, in three folders of one namespace each:
//
//     auto model = ag::nn::MLP({2, 16, 1}, "tanh", "sigmoid");
//     ag::optim::Adam opt(model->parameters(), {.lr = 1e-2});
//     for (int epoch = 0; epoch < 100; ++epoch) {
//       opt.zero_grad();
//       ag::Tensor loss = ag::nn::binary_cross_entropy((*model)(x), y);
//       loss.backward();
//       opt.step();
//     }
//     ag::io::save_checkpoint("model.bin", *model, &opt);
//
// nn/ (ag::nn), models and layers: module.hpp (Module, hooks, nn::call),
// containers.hpp (ModuleList, ModuleDict, ParameterList), layers.hpp
// (Linear, Sequential, MLP, activations, Embedding, EmbeddingBag, Dropout),
// normalization.hpp (LayerNorm, BatchNorm1d), rnn_cells.hpp (RNNCell,
// LSTMCell, GRUCell), rnn.hpp (RNN, LSTM, GRU), conv.hpp (Conv1d, pools),
// attention.hpp (MultiheadAttention, positions), init.hpp, loss.hpp,
// data.hpp (DataLoader), state_dict.hpp (StateDict).
// nn/optim/ (ag::optim): optimizers, clipping, schedules (optim/optim.hpp).
// nn/io/ (ag::io): checkpoints and safetensors files.
// nn/dist/ (ag::dist, library autograd_dist): data-parallel training over
// MPI, included on its own (autograd/nn/dist/dist.hpp).
// Models and optimizers never include io or dist; io never includes dist
// (scripts/check_structure.py).
#pragma once

#include "autograd/autograd.hpp"
#include "autograd/nn/attention.hpp"
#include "autograd/nn/compat.hpp"
#include "autograd/nn/containers.hpp"
#include "autograd/nn/conv.hpp"
#include "autograd/nn/data.hpp"
#include "autograd/nn/init.hpp"
#include "autograd/nn/io/checkpoint.hpp"
#include "autograd/nn/io/safetensors.hpp"
#include "autograd/nn/layers.hpp"
#include "autograd/nn/loss.hpp"
#include "autograd/nn/module.hpp"
#include "autograd/nn/normalization.hpp"
#include "autograd/nn/optim/optim.hpp"
#include "autograd/nn/rnn.hpp"
#include "autograd/nn/rnn_cells.hpp"
#include "autograd/nn/state_dict.hpp"

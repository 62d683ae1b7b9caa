// SPDX-License-Identifier: MIT
// The nn module: layers, losses, initialisation, optimizers, schedules.
//
//     auto model = ag::nn::MLP({2, 16, 1}, "tanh", "sigmoid");
//     ag::optim::Adam opt(model->parameters(), {.lr = 1e-2});
//     for (int epoch = 0; epoch < 100; ++epoch) {
//       opt.zero_grad();
//       ag::Tensor loss = ag::nn::binary_cross_entropy((*model)(x), y);
//       loss.backward();
//       opt.step();
//     }
//
// module.hpp (Module), layers.hpp (Linear, Sequential, MLP, activations,
// Embedding, EmbeddingBag, Dropout), normalization.hpp (LayerNorm,
// layer_norm), recurrent.hpp (RNNCell, LSTMCell, GRUCell), init.hpp, loss.hpp,
// optim.hpp (SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, SparseAdam,
// clipping), scheduler.hpp, data.hpp (DataLoader: minibatches),
// checkpoint.hpp, safetensors.hpp (weights shared with PyTorch).
#pragma once

#include "autograd/autograd.hpp"
#include "autograd/nn/attention.hpp"
#include "autograd/nn/checkpoint.hpp"
#include "autograd/nn/conv.hpp"
#include "autograd/nn/data.hpp"
#include "autograd/nn/init.hpp"
#include "autograd/nn/layers.hpp"
#include "autograd/nn/loss.hpp"
#include "autograd/nn/module.hpp"
#include "autograd/nn/normalization.hpp"
#include "autograd/nn/optim.hpp"
#include "autograd/nn/recurrent.hpp"
#include "autograd/nn/rnn.hpp"
#include "autograd/nn/safetensors.hpp"
#include "autograd/nn/scheduler.hpp"

// SPDX-License-Identifier: MIT
// ag::optim: the optimizers, with PyTorch 1.13's update rules and defaults
// (every dense one takes `maximize`), gradient clipping and learning-rate
// schedules. One file per optimizer, its options, checks and step together:
//
//   optimizer.hpp  Optimizer (the interface), parameter groups, saved state
//   sgd.hpp        SGD (momentum, Nesterov)     rmsprop.hpp   RMSprop
//   adam.hpp       Adam, AdamW                  nadam.hpp     NAdam
//   radam.hpp      RAdam                        adamax.hpp    Adamax
//   adagrad.hpp    Adagrad                      adadelta.hpp  Adadelta
//   sparse_adam.hpp SparseAdam (row-sparse gradients)
//   clip.hpp       clip_grad_norm_, clip_grad_value_
//   scheduler.hpp  StepLR, CosineAnnealingLR, OneCycleLR, ReduceLROnPlateau, ...
//
// update_loop.hpp (internal) is the loop every dense update runs.
#pragma once

#include "autograd/nn/optim/adadelta.hpp"
#include "autograd/nn/optim/adagrad.hpp"
#include "autograd/nn/optim/adam.hpp"
#include "autograd/nn/optim/adamax.hpp"
#include "autograd/nn/optim/clip.hpp"
#include "autograd/nn/optim/nadam.hpp"
#include "autograd/nn/optim/optimizer.hpp"
#include "autograd/nn/optim/radam.hpp"
#include "autograd/nn/optim/rmsprop.hpp"
#include "autograd/nn/optim/scheduler.hpp"
#include "autograd/nn/optim/sgd.hpp"
#include "autograd/nn/optim/sparse_adam.hpp"

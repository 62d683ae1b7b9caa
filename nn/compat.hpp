// SPDX-License-Identifier: MIT
// The names the file functions had before they moved to ag::io, kept for one
// release (0.3 removes them, with the forwarding headers beside this one):
// ag::nn::save_checkpoint is ag::io::save_checkpoint, and so on.
#pragma once

#include "autograd/nn/io/checkpoint.hpp"
#include "autograd/nn/io/safetensors.hpp"

namespace ag::nn {

using NamedTensors = StateDict;  ///< the old name of StateDict
using io::load_checkpoint;
using io::load_safetensors;
using io::load_tensors;
using io::parse_safetensors;
using io::parse_tensors;
using io::restore_checkpoint;
using io::safetensors_metadata;
using io::save_checkpoint;
using io::save_safetensors;
using io::save_tensors;

}  // namespace ag::nn

// SPDX-License-Identifier: MIT
// The one name for named tensors in order: a module's parameters and buffers
// (Module::state_dict), an optimizer's or a schedule's state, the contents of
// a checkpoint or a safetensors file.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "autograd/tensor.hpp"

namespace ag::nn {

/// Tensors by name, in order ("fc1.weight", "0.3.exp_avg"), as PyTorch's
/// state_dict.
using StateDict = std::vector<std::pair<std::string, Tensor>>;

}  // namespace ag::nn

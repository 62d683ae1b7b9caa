// SPDX-License-Identifier: MIT
// Forwarding header: this path is kept for one release; include autograd/nn/dist/dist.hpp.
#pragma once

#include "autograd/nn/compat.hpp"
#include "autograd/nn/dist/dist.hpp"

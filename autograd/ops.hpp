// SPDX-License-Identifier: MIT
// Differentiable tensor operations. Each family lives in one file under
// autograd/ops/ (named in each section of the headers below), one block per op: its
// backward (vector-Jacobian product), its op table, its forward. Backward
// passes are written with these same ops, so with create_graph gradients are
// differentiable again. Conversions are Tensor members (Tensor::to,
// to_scalar: ops/convert.cpp).
//
// Broadcasting follows NumPy: shapes are aligned on the right and sizes of 1
// stretch; gradients are summed back to each input's shape.
#pragma once

// The families, one header each (and one file each under autograd/ops/):
#include "autograd/ops_index.hpp"   // x.index({Slice(), 0}), index_put_, masked_select, nonzero
#include "autograd/ops_math.hpp"    // + - * /, promotion, comparisons, logic, unary, losses
#include "autograd/ops_reduce.hpp"  // sum, mean, max, softmax, ..., matmul, linear, einsum
#include "autograd/ops_shape.hpp"   // reshape, transpose, cat, slice, ..., sort, gather

// SPDX-License-Identifier: MIT
// User-defined differentiable ops: a forward computation and its
// vector-Jacobian product, recorded as one node of the graph.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "autograd/tensor.hpp"

namespace ag {

/// Given the op's inputs, its output and the gradient of the output, returns
/// one gradient per input (an undefined Tensor for "none"), each of its
/// input's shape. Written with tensor ops, it differentiates again under
/// create_graph. It must not capture the output (that would keep the node
/// alive forever): take it from the `output` argument.
using Backward = std::function<std::vector<Tensor>(
    const std::vector<Tensor>& inputs, const Tensor& output, const Tensor& grad_output)>;

/// Runs `forward` on `inputs` with gradient recording off, and records its
/// result as one node named `name` whose backward is `backward`:
///
///     ag::Tensor cube(const ag::Tensor& x) {
///       return ag::custom_op("cube", {x},
///           [](const std::vector<ag::Tensor>& in) { return in[0] * in[0] * in[0]; },
///           [](const std::vector<ag::Tensor>& in, const ag::Tensor&, const ag::Tensor& g) {
///             return std::vector<ag::Tensor>{3.0 * in[0] * in[0] * g};
///           });
///     }
///
/// Check it with ag::gradcheck. An undefined input is an optional one left
/// out (`bias = ag::Tensor()`): forward and backward see it undefined, and
/// its gradient is ignored. ValueError if no input is defined; ShapeError if
/// backward returns the wrong number of gradients or a wrong shape.
Tensor custom_op(const std::string& name, const std::vector<Tensor>& inputs,
                 const std::function<Tensor(const std::vector<Tensor>&)>& forward,
                 Backward backward);

}  // namespace ag

// SPDX-License-Identifier: MIT
// The backward pass, stepped through in a browser: one self-contained HTML
// file (no network, no external scripts) with the diagram as inline SVG.
#pragma once

#include <string>
#include <vector>

#include "autograd/scalar.hpp"
#include "autograd/tensor.hpp"
#include "autograd/trace.hpp"

namespace ag {

///@{
/// Writes `path`: the graph ending at `root` as an SVG diagram, where
/// hovering a node shows its value, gradient and shape, and a step control
/// (buttons, or the arrow keys) walks the backward pass one edge at a time,
/// highlighting the node and the input and showing
///     dL/d(node) × d(node)/d(input) = the contribution added to dL/d(input)
/// as the lecture derives it, with a ledger of the gradients so far. The
/// steps are `steps` from trace_backward(root); the overload without them
/// runs trace_backward itself (so, like it, it runs the backward pass).
/// Needs Graphviz for the layout (RenderError otherwise); FileError if
/// `path` cannot be written.
void render_html(const Scalar& root, const std::vector<TraceStep>& steps, const std::string& path);
void render_html(const Tensor& root, const std::vector<TraceStep>& steps, const std::string& path);
void render_html(const Scalar& root, const std::string& path);
void render_html(const Tensor& root, const std::string& path);
///@}

}  // namespace ag

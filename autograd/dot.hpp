// Graph diagrams: Graphviz DOT text, and SVG/PNG rendering where Graphviz is
// installed.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "autograd/scalar.hpp"
#include "autograd/tensor.hpp"

namespace ag {

namespace detail {
/// A label for the edge from `input` into `consumer`'s op ("" for the default).
using EdgeNote = std::function<std::string(const Node& input, const Node& consumer)>;
/// DOT text for the graph ending at `root`, whatever its node kinds.
std::string graph_to_dot(Node* root, const EdgeNote& note = {});
}  // namespace detail

/// The graph that ends at `root` as Graphviz DOT, laid out left to right:
/// one record per value (label, data, grad), one ellipse per operation,
/// edges in data-flow direction. Values are coloured by role: leaves blue,
/// the root green. Ids follow topological order, so the text is
/// deterministic.
std::string to_dot(const Scalar& root);
/// The same for a graph ending at a tensor: tensor values show dtype and
/// shape, and their elements when there are at most four.
std::string to_dot(const Tensor& root);

/// Renders DOT text to `path`; the format follows the extension (.svg or
/// .png). Uses the Graphviz library when built with it, else the `dot`
/// program on PATH. Throws RenderError naming what is missing or what
/// failed, ValueError for another extension.
void render_dot(std::string_view dot, const std::string& path);

/// render_dot(to_dot(root), path).
void render(const Scalar& root, const std::string& path);
void render(const Tensor& root, const std::string& path);

/// Whether render() can work here: built with libgvc, or `dot` on PATH.
bool can_render();

}  // namespace ag

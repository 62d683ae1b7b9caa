// SPDX-License-Identifier: MIT
// Graph diagrams: Graphviz DOT text, and SVG/PNG rendering where Graphviz is
// installed.
//
// A diagram never lies: it is drawn from the graph as it is. A scalar graph
// keeps its nodes after backward(), so drawn then it shows every gradient.
// A tensor graph is freed by backward() unless retain_graph is passed;
// drawing a freed graph is a GraphError that says so (it would otherwise be
// a single box). Interior tensor gradients are dropped as backward runs, as
// in PyTorch; to draw them, keep them first:
//
//     ag::retain_grads(loss);                   // every interior gradient is kept
//     loss.backward(ag::Tensor(), /*retain_graph=*/true);
//     ag::render(loss, "step.svg");             // values and gradients
//
// Or draw before backward() for the values alone.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "autograd/scalar.hpp"
#include "autograd/tensor.hpp"

namespace ag {

/// How a diagram is drawn.
struct DotOptions {
  /// Which way the arrows run.
  enum class Direction { automatic, top_to_bottom, left_to_right };
  /// automatic: top to bottom when the graph is deeper (more levels from
  /// the leaves to the root) than it is wide, else left to right.
  Direction direction = Direction::automatic;
  /// Ops recorded inside name scopes (one per nn::Module call and loss) are
  /// drawn in labelled clusters; scopes nested deeper than this are collapsed
  /// into one box each, listing their parameters. 0 (the default) draws each
  /// top-level module as one box, 1 opens those and collapses their
  /// submodules, -1 draws every op.
  int collapse_depth = 0;
  /// A legend of the colours.
  bool legend = true;
};

namespace detail {
/// A label for the edge from `input` into `consumer`'s op ("" for the default).
using EdgeNote = std::function<std::string(const Node& input, const Node& consumer)>;
/// A diagram: its DOT text, and the DOT name each node is drawn as ("v3"
/// for a value and "op3" for the op that made it; the members of a
/// collapsed scope share their box's name).
struct Diagram {
  std::string dot;
  std::unordered_map<const Node*, std::string> value_names, op_names;
};
/// The diagram of the graph ending at `root`, whatever its node kinds.
Diagram build_diagram(Node* root, const DotOptions& options, const EdgeNote& note = {});
}  // namespace detail

///@{
/// The graph that ends at `root` as Graphviz DOT: one record per value
/// (label, dtype and shape, values, gradient), one ellipse per operation,
/// edges in data-flow direction labelled with the operand's role where
/// order matters ("a - b", "input"/"weight" of linear) and a tensor's shape.
/// Colours by role, explained by the legend: the output green, parameters
/// (leaves that take a gradient) blue, constants grey, intermediate values
/// white, ops yellow. Parameters show their module path ("fc1.weight").
/// Ids follow topological order, so the text is deterministic.
/// GraphError if backward() already freed the graph.
std::string to_dot(const Scalar& root, const DotOptions& options = {});
std::string to_dot(const Tensor& root, const DotOptions& options = {});
///@}

/// Renders DOT text to `path`; the format follows the extension (.svg or
/// .png). Uses the Graphviz library when built with it, else the `dot`
/// program on PATH. Throws RenderError naming what is missing or what
/// failed, ValueError for another extension.
void render_dot(std::string_view dot, const std::string& path);
/// DOT text rendered to SVG text, in memory (RenderError as render_dot).
std::string render_svg(std::string_view dot);

///@{
/// render_dot(to_dot(root, options), path).
void render(const Scalar& root, const std::string& path, const DotOptions& options = {});
void render(const Tensor& root, const std::string& path, const DotOptions& options = {});
///@}

/// Marks every interior tensor of the graph ending at `root` to keep its
/// gradient through the next backward() (Tensor::retain_grad), so that a
/// diagram drawn after it shows them all.
void retain_grads(const Tensor& root);

/// Whether render() can work here: built with libgvc, or `dot` on PATH.
bool can_render();

}  // namespace ag

// SPDX-License-Identifier: MIT
// The backward trace: every chain-rule step the backward pass takes, with
// its numbers — the lecture's derivation, printed by the engine.
#pragma once

#include <string>
#include <vector>

#include "autograd/scalar.hpp"
#include "autograd/shape.hpp"
#include "autograd/tensor.hpp"

namespace ag {

/// One edge of the backward pass: `node` (made by `op`) passes gradient to
/// `input`. Between single-element values (scalars, one-element tensors):
/// upstream = dL/d(node), local = d(node)/d(input) (both uses added up when
/// the input appears twice, as in x*x), and contribution = upstream·local,
/// the amount added to dL/d(input). Otherwise (`tensor` set) local is NaN
/// and upstream/contribution are L2 norms; the input's shape is in `shape`.
struct TraceStep {
  std::string node;         ///< the node's label
  std::string op;           ///< the op that made it
  std::string input;        ///< the input's label
  double upstream = 0;      ///< dL/d(node) (its L2 norm for tensors)
  double local = 0;         ///< d(node)/d(input) (NaN for tensors)
  double contribution = 0;  ///< upstream·local, added to dL/d(input) (a norm for tensors)
  bool tensor = false;      ///< a step between tensors of more than one element
  Shape shape;              ///< the input's shape
  const detail::Node* node_id = nullptr;   ///< for diagrams
  const detail::Node* input_id = nullptr;  ///< for diagrams
};

///@{
/// Runs backward from `root` (as root.backward() would, accumulating into the
/// leaves, but keeping a tensor graph as retain_graph does) and records every
/// step, in the order the engine takes them.
/// Nodes are named by their label, else "op#k" with k their position in
/// topological order.
std::vector<TraceStep> trace_backward(const Scalar& root);
std::vector<TraceStep> trace_backward(const Tensor& root);
///@}

/// The steps as an aligned table.
std::string format_trace(const std::vector<TraceStep>& steps);

/// Graphviz DOT of the graph with each edge annotated by its local
/// derivative (scalar steps) from `steps`.
std::string to_dot(const Scalar& root, const std::vector<TraceStep>& steps);

}  // namespace ag

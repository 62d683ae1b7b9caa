// SPDX-License-Identifier: MIT
// What a scalar op file needs: record a node, reach its inputs in backward,
// add into their gradients. The same vocabulary as tensor_op.hpp: an op's
// backward is `name_vjp(node, g)` wrapped by run_backward. Internal; not
// installed.
#pragma once

#include "autograd/scalar.hpp"

namespace ag::detail {

/// A new node of `op` with `value` from input x (and the op's constant).
inline Scalar record(const Op& op, double value, const Scalar& x, double constant = 0.0) {
  return Scalar::adopt(make_scalar(&op, value, x.node(), nullptr, constant));
}
/// A new node of `op` with `value` from inputs a and b.
inline Scalar record(const Op& op, double value, const Scalar& a, const Scalar& b) {
  return Scalar::adopt(make_scalar(&op, value, a.node(), b.node()));
}

/// Input k of a scalar op's node.
inline ScalarNode& input(const ScalarNode& node, int k) { return *as_scalar(node.in[k]); }
/// Adds `contribution` into input k's gradient.
inline void accumulate_input(const ScalarNode& node, int k, double contribution) {
  input(node, k).grad += contribution;
}

/// Every scalar op's backward is `run_backward<vjp>`: vjp(node, g) with g
/// the node's gradient.
template <void (*vjp)(ScalarNode&, double)>
void run_backward(Node& node) {
  vjp(as_scalar(node), as_scalar(node).grad);
}

/// The diagram text of an op with a constant: its symbol with "{:g}"
/// replaced by the constant ("* 2").
inline std::string constant_label(const Node& node) {
  return fmt::format(fmt::runtime(node.op()->symbol), as_scalar(node).constant());
}

}  // namespace ag::detail

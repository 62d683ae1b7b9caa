// What a scalar op file needs: record a node, reach its inputs in backward.
// Internal; not installed.
#pragma once

#include "autograd/scalar.hpp"

namespace ag::detail {

extern const NodeKind scalar_kind;

inline Scalar record(const Op& op, double value, const Scalar& x, double aux = 0.0) {
  return Scalar::adopt(make_scalar(&op, value, x.node(), nullptr, aux));
}
inline Scalar record(const Op& op, double value, const Scalar& a, const Scalar& b) {
  return Scalar::adopt(make_scalar(&op, value, a.node(), b.node()));
}

inline ScalarNode& input0(Node& node) { return *as_scalar(node.in[0]); }
inline ScalarNode& input1(Node& node) { return *as_scalar(node.in[1]); }

}  // namespace ag::detail

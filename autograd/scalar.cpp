// SPDX-License-Identifier: MIT
// The scalar node kind and the Scalar handle's non-op members.
#include "autograd/scalar.hpp"

#include <ostream>

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "autograd/anomaly.hpp"
#include "autograd/error.hpp"
#include "autograd/node_pool.hpp"

namespace ag {
namespace detail {
namespace {

void clear_scalar_grad(Node& node) { as_scalar(node).grad = 0.0; }
// The pool block of a node: 32 bytes when the value is not stored.
std::uint32_t scalar_bytes(const Node& node) {
  return node.flags & Node::kValueFromInput ? sizeof(ScalarNode) : sizeof(ScalarNodeWithValue);
}
void destroy_scalar(Node* node) {
  const std::uint32_t bytes = scalar_bytes(*node);
  as_scalar(node)->~ScalarNode();
  node_pool_free(node, bytes);
}
bool scalar_grad_is_finite(const Node& node) { return std::isfinite(as_scalar(node).grad); }
bool scalar_value_is_finite(const Node& node) { return std::isfinite(as_scalar(node).value()); }

std::string describe_scalar(const Node& node) {
  return fmt::format("data {:.4f}|grad {:.4f}", as_scalar(node).value(), as_scalar(node).grad);
}
std::string describe_scalar_short(const Node& node) {
  return fmt::format("scalar {}", as_scalar(node).value());
}
std::vector<double> scalar_grad_values(const Node& node) { return {as_scalar(node).grad}; }
void set_scalar_grad_values(Node& node, const std::vector<double>& values) {
  as_scalar(node).grad = values.empty() ? 0.0 : values[0];
}

Shape scalar_shape(const Node&) { return {}; }

const NodeView scalar_view{.describe = describe_scalar,
                           .describe_short = describe_scalar_short,
                           .edge_label = nullptr,
                           .shape = scalar_shape,
                           .grad_values = scalar_grad_values,
                           .set_grad_values = set_scalar_grad_values,
                           .scope = nullptr};

}  // namespace

const NodeKind scalar_kind{.name = "scalar",
                           .clear_grad = clear_scalar_grad,
                           .destroy = destroy_scalar,
                           .release_graph = nullptr,  // a scalar graph holds only its inputs
                           .more_inputs = nullptr,
                           .grad_is_finite = scalar_grad_is_finite,
                           .value_is_finite = scalar_value_is_finite,
                           .version = nullptr,
                           .view = &scalar_view};
const Op scalar_leaf{"leaf", "", &scalar_kind, nullptr};

static_assert(sizeof(ScalarNode) == 32 && sizeof(ScalarNodeWithValue) == 40);
static_assert(sizeof(ScalarNodeWithValue) <= kNodePoolMaxBytes, "a scalar node must fit the pool");

namespace {
void check_scalar_forward(ScalarNode& node) {
  const std::uint64_t number = ++anomaly_ops;
  if (std::isfinite(node.value())) return;
  std::string inputs;
  for_each_input(node, [&](const Node* input) {
    inputs += (inputs.empty() ? "" : ", ") + input->op()->kind->view->describe_short(*input);
  });
  const double value = node.value();
  const char* name = node.op()->name;
  release(&node);  // the caller never gets it
  fail<AnomalyError>("anomaly: '{}' (op #{} since AnomalyMode began) produced {} from ({})", name,
                     number, value, inputs);
}
}  // namespace

namespace {
// A new node with its op, flags and inputs (retained) set; no value yet. A
// ScalarNode (no value field) is flagged so: reads and frees go by the flag.
template <class NodeType>
NodeType* new_scalar(const Op* op, Node* a, Node* b, double constant) {
  // What may throw comes before anything is allocated.
  const bool has_constant = std::bit_cast<std::uint64_t>(constant) != 0;  // -0.0 too
  if (has_constant && b)
    fail<GraphError>("op '{}': a scalar op takes a constant or a second input", op->name);
  const std::uint16_t op_number = op_index(op);
  auto* node = new (node_pool_allocate(sizeof(NodeType))) NodeType;
  node->flags = Node::kRequiresGrad;  // every scalar takes a gradient
  if constexpr (!std::is_same_v<NodeType, ScalarNodeWithValue>)
    node->flags |= Node::kValueFromInput;
  node->op_number = op_number;
  node->in[0] = a;
  node->in[1] = b;
  if (has_constant) {
    node->in[1] = std::bit_cast<Node*>(constant);
    node->flags |= Node::kAttributeInSecondSlot;
  }
  if (a) retain(a);
  if (b) retain(b);
  return node;
}

ScalarNode* checked(ScalarNode* node) {
  if (anomaly_enabled && node->op()->backward) [[unlikely]]
    check_scalar_forward(*node);
  return node;
}
}  // namespace

ScalarNode* make_scalar(const Op* op, double value, Node* a, Node* b, double constant) {
  auto* node = new_scalar<ScalarNodeWithValue>(op, a, b, constant);
  node->stored_value = value;
  return checked(node);
}

ScalarNode* make_scalar_sum(const Op* op, ScalarNode* a, double c) {
  // Only an interior node's value never changes (a leaf's may: set_value),
  // and only a stored value, so that reading one is never a chain of reads.
  const bool derived = !a->is_leaf() && !(a->flags & Node::kValueFromInput);
  if (!derived) return make_scalar(op, a->value() + c, a, nullptr, c);
  return checked(new_scalar<ScalarNode>(op, a, nullptr, c));
}

void empty_handle(const char* type) {
  fail<GraphError>("{}: this handle refers to no node (default-constructed or moved from)", type);
}

namespace {
void seed_scalar(Node& root, const Node* gradient) {
  as_scalar(root).grad += gradient ? as_scalar(*gradient).value() : 1.0;
}
}  // namespace

}  // namespace detail

void Scalar::backward() const { detail::backward(&self(), {detail::seed_scalar}); }

Scalar::Scalar(double value) : node_(detail::make_scalar(&detail::scalar_leaf, value)) {}

Scalar::Scalar(double value, std::string label) : Scalar(value) {
  detail::set_label(&self(), std::move(label));
}

void Scalar::set_value(double value) {
  if (!is_leaf()) {
    detail::fail<ValueError>(
        "set_value: node '{}' (op '{}') is not a leaf; its value follows from its inputs", label(),
        op_name());
  }
  static_cast<detail::ScalarNodeWithValue&>(self()).stored_value = value;  // leaves store it
}

Scalar& Scalar::label(std::string label) & {
  detail::set_label(&self(), std::move(label));
  return *this;
}

Scalar Scalar::label(std::string label) && {
  detail::set_label(&self(), std::move(label));
  return std::move(*this);
}

}  // namespace ag

std::ostream& ag::operator<<(std::ostream& out, const Scalar& x) {
  return out << fmt::format("{}", x);
}

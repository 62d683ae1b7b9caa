// The scalar node kind and the Scalar handle's non-op members.
#include "autograd/scalar.hpp"

#include <fmt/format.h>

#include <cmath>
#include "autograd/anomaly.hpp"
#include "autograd/error.hpp"
#include "autograd/node_pool.hpp"
#include "autograd/ops/scalar_op.hpp"

namespace ag {
namespace detail {
namespace {

void clear_scalar_grad(Node& node) { as_scalar(node).grad = 0.0; }
bool scalar_grad_is_finite(const Node& node) {
  return std::isfinite(static_cast<const ScalarNode&>(node).grad);
}
std::string describe_scalar_short(const Node& node) {
  return fmt::format("scalar {}", static_cast<const ScalarNode&>(node).value);
}

void destroy_scalar(Node* node) {
  as_scalar(node)->~ScalarNode();
  node_pool_free(node);
}
std::string describe_scalar(const Node& node) {
  const auto& s = static_cast<const ScalarNode&>(node);
  return fmt::format("data {:.4f}|grad {:.4f}", s.value, s.grad);
}
std::string describe_scalar_op(const Node& node) {
  return fmt::format(fmt::runtime(node.op->symbol), static_cast<const ScalarNode&>(node).aux);
}

}  // namespace

const NodeKind scalar_kind{.name = "scalar",
                           .clear_grad = clear_scalar_grad,
                           .destroy = destroy_scalar,
                           .describe = describe_scalar,
                           .describe_op = describe_scalar_op,
                           .release_graph = nullptr,  // a scalar graph holds only its inputs
                           .grad_is_finite = scalar_grad_is_finite,
                           .describe_short = describe_scalar_short,
                           .edge_label = nullptr,
                           .is_constant = nullptr,
                           .more_inputs = nullptr};
const Op scalar_leaf{"leaf", "", &scalar_kind, nullptr};

static_assert(sizeof(ScalarNode) <= kNodePoolBlock, "a scalar node must fit a pool block");

namespace {
void check_scalar_forward(ScalarNode& node) {
  const std::uint64_t number = ++anomaly_ops;
  if (std::isfinite(node.value)) return;
  std::string inputs;
  for (const Node* input : node.in) {
    if (input) inputs += (inputs.empty() ? "" : ", ") + input->op->kind->describe_short(*input);
  }
  const double value = node.value;
  const char* name = node.op->name;
  release(&node);  // the caller never gets it
  fail<AnomalyError>("anomaly: '{}' (op #{} since AnomalyMode began) produced {} from ({})", name,
                     number, value, inputs);
}
}  // namespace

ScalarNode* make_scalar(const Op* op, double value, Node* a, Node* b, double aux) {
  const PoolBlock block = node_pool_allocate();
  auto* node = new (block.memory) ScalarNode;
  node->slot = block.slot;
  node->op = op;
  node->in[0] = a;
  node->in[1] = b;
  node->value = value;
  node->aux = aux;
  if (a) retain(a);
  if (b) retain(b);
  if (anomaly_enabled && op->backward) [[unlikely]]
    check_scalar_forward(*node);
  return node;
}

void seed_one(Node& root, const void*) { as_scalar(root).grad += 1.0; }

}  // namespace detail

void Scalar::backward() const { detail::backward(&self(), {detail::seed_one}); }

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
  self().value = value;
}

void Scalar::throw_moved_from() {
  detail::fail<ValueError>("Scalar: this handle was moved from and refers to no node");
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

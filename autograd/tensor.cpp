// The tensor node kind and the Tensor handle's members.
#include "autograd/tensor.hpp"

#include <cmath>
#include <cstring>
#include <new>

#include "autograd/anomaly.hpp"
#include "autograd/error.hpp"
#include "autograd/ops/tensor_op.hpp"
#include "autograd/storage.hpp"

namespace ag {
namespace detail {

std::vector<double> values_of(const TensorNode& t) {
  return visit_any(t.dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* p = t.data<T>();
    return std::vector<double>(p, p + t.numel());
  });
}

namespace {

void clear_tensor_grad(Node& node) {
  as_tensor(node).grad = Tensor();
  as_tensor(node).sparse_grad = {};
}
void destroy_tensor(Node* node) { delete as_tensor(node); }

std::string describe_tensor(const Node& node) {
  const auto& t = static_cast<const TensorNode&>(node);
  std::string text = fmt::format("{} {}", t.dtype, t.shape);
  if (t.numel() <= 4) {
    text += fmt::format("|data {:.4g}", fmt::join(values_of(t), " "));
    if (t.grad.defined()) text += fmt::format("|grad {:.4g}", fmt::join(t.grad.to_vector(), " "));
  } else if (t.grad.defined()) {
    text += "|has grad";
  }
  return text;
}

std::string describe_tensor_op(const Node& node) {
  const auto& t = static_cast<const TensorNode&>(node);
  if (t.custom) return t.custom->name;
  return fmt::format(fmt::runtime(node.op->symbol), t.real);
}

// Drops inputs and saved tensors: the intermediate buffers only backward needed.
void release_tensor_graph(Node& node) {
  auto& t = as_tensor(node);
  for (Node*& input : t.in) {
    if (input) release(input);
    input = nullptr;
  }
  for (Node* input : t.more) release(input);
  t.more.clear();
  t.saved.clear();
  t.custom.reset();
}

std::span<Node* const> tensor_more_inputs(const Node& node) {
  return static_cast<const TensorNode&>(node).more;
}

bool all_finite(const TensorNode& t) {
  if (!is_floating(t.dtype)) return true;
  return visit_floating(t.dtype, "anomaly", [&](auto zero) {
    using T = decltype(zero);
    const T* p = t.data<T>();
    for (std::int64_t i = 0, n = t.numel(); i < n; ++i) {
      if (!std::isfinite(p[i])) return false;
    }
    return true;
  });
}

bool tensor_grad_is_finite(const Node& node) {
  const auto& t = static_cast<const TensorNode&>(node);
  return !t.grad.defined() || all_finite(*t.grad.node());
}

std::string describe_tensor_short(const Node& node) {
  const auto& t = static_cast<const TensorNode&>(node);
  return fmt::format("{} {}", t.dtype, t.shape);
}

std::string tensor_edge_label(const Node& node) {
  return fmt::format("{}", static_cast<const TensorNode&>(node).shape);
}

bool tensor_is_constant(const Node& node) {
  return !static_cast<const TensorNode&>(node).requires_grad;
}

}  // namespace

const NodeKind tensor_kind{.name = "tensor",
                           .clear_grad = clear_tensor_grad,
                           .destroy = destroy_tensor,
                           .describe = describe_tensor,
                           .describe_op = describe_tensor_op,
                           .release_graph = release_tensor_graph,
                           .grad_is_finite = tensor_grad_is_finite,
                           .describe_short = describe_tensor_short,
                           .edge_label = tensor_edge_label,
                           .is_constant = tensor_is_constant,
                           .more_inputs = tensor_more_inputs};
const Op tensor_leaf{"leaf", "", &tensor_kind, nullptr};

void seed_tensor(Node& root, const void* arg) {
  auto& t = as_tensor(root);
  const auto* grad_output = static_cast<const Tensor*>(arg);
  accumulate_grad(t, grad_output ? *grad_output : ones(t.shape, t.dtype));
}

TensorNode::~TensorNode() {
  for (Node* input : more) release(input);
}

Tensor empty_tensor(const Shape& shape, DType dtype, std::string_view op) {
  const std::int64_t n = checked_numel(shape, op);
  auto* node = new TensorNode;
  node->op = &tensor_leaf;
  node->shape = shape;
  node->dtype = dtype;
  Tensor t = Tensor::adopt(node);
  const std::size_t bytes = std::max<std::size_t>(1, n * dtype_size(dtype));
  node->storage = allocate_storage(bytes);
  return t;
}

constinit thread_local GradCapture* active_capture = nullptr;

namespace {

void add_in_place(Tensor& target, const Tensor& value) {
  visit_floating(target.dtype(), "accumulate_grad", [&](auto zero) {
    using T = decltype(zero);
    T* out = target.data<T>();
    const T* in = value.data<T>();
    for (std::int64_t i = 0, n = target.numel(); i < n; ++i) out[i] += in[i];
  });
}

}  // namespace

namespace {
// AnomalyMode: an op's result must be finite where its inputs were.
void check_forward(const Tensor& out, const Op& op, std::span<Node* const> inputs) {
  const std::uint64_t number = ++anomaly_ops;
  if (all_finite(*out.node())) return;
  std::string shapes, labels;
  for (Node* input : inputs) {
    if (!input) continue;
    if (input->op->kind == &tensor_kind && !all_finite(*as_tensor(input))) return;  // not new here
    shapes += (shapes.empty() ? "" : ", ") + input->op->kind->describe_short(*input);
    const std::string label = get_label(input);
    if (!label.empty()) labels += (labels.empty() ? "" : ", ") + label;
  }
  if (anomaly_backward_of) {
    fail<AnomalyError>(
        "anomaly: the backward of '{}' produced NaN or infinity (in its '{}', from finite {})",
        anomaly_backward_of, op.name, shapes);
  }
  fail<AnomalyError>(
      "anomaly: '{}' (op #{} since AnomalyMode began) produced NaN or infinity "
      "from finite inputs ({}){}",
      op.name, number, shapes, labels.empty() ? "" : " labelled " + labels);
}
}  // namespace

bool record(Tensor& out, const Op& op, std::span<Node* const> inputs) {
  if (anomaly_enabled) [[unlikely]]
    check_forward(out, op, inputs);
  if (!is_grad_enabled()) return false;
  bool any = false;
  for (Node* input : inputs) any = any || (input && wants_grad(input));
  if (!any) return false;
  TensorNode& node = *out.node();
  node.op = &op;
  node.requires_grad = true;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    if (inputs[k]) retain(inputs[k]);
    if (k < 2) {
      node.in[k] = inputs[k];
    } else {
      node.more.push_back(inputs[k]);  // beyond two: the kind's more_inputs
    }
  }
  return true;
}

Tensor input(const Node& node, int k) {
  TensorNode& t = input_node(node, k);
  retain(&t);
  return Tensor::adopt(&t);
}

Tensor output(Node& node) {
  retain(&node);
  return Tensor::adopt(as_tensor(&node));
}

void accumulate_grad(TensorNode& node, const Tensor& contribution) {
  if (!node.requires_grad) return;
  if (contribution.shape() != node.shape || contribution.dtype() != node.dtype) {
    fail<ShapeError>(
        "backward: a {} gradient of shape {} reached a {} tensor of shape {} (op '{}')",
        contribution.dtype(), contribution.shape(), node.dtype, node.shape, node.op->name);
  }
  if (active_capture) [[unlikely]] {
    for (auto& slot : active_capture->slots) {
      if (slot.node == &node) {
        slot.grad = slot.grad.defined() ? slot.grad + contribution : contribution;
      }
    }
    if (node.is_leaf()) return;
  }
  if (!node.grad.defined()) {
    node.grad = contribution;
  } else if (!is_grad_enabled() && owns_alone(node.grad)) {
    add_in_place(node.grad, contribution);  // nobody else can see the old value
  } else {
    node.grad = node.grad + contribution;
  }
}

void accumulate_product(const Node& node, int k, const Tensor& g, const Tensor& other,
                        bool last_use_of_g) {
  if (!input_wants_grad(node, k)) return;
  TensorNode& target = input_node(node, k);
  Tensor& grad = target.grad;
  const bool plain = !is_grad_enabled() && !active_capture && g.shape() == target.shape &&
                     other.shape() == target.shape && g.dtype() == target.dtype &&
                     other.dtype() == target.dtype;
  // The gradient flowing back, used for the last time and held by nobody
  // else: multiply in its own buffer and hand it on, with no allocation.
  if (plain && last_use_of_g && !grad.defined() && owns_alone(g)) {
    grad = fused_vjp(g, other, [](auto u, auto y) { return u * y; });
    return;
  }
  // The common case of a repeated use (a weight in every step of a chain):
  // add g·other into a gradient nobody else holds, with no temporary.
  if (plain && grad.defined() && owns_alone(grad)) {
    visit_floating(target.dtype, "accumulate_grad", [&](auto zero) {
      using T = decltype(zero);
      T* out = grad.data<T>();
      const T* a = g.data<T>();
      const T* b = other.data<T>();
      for (std::int64_t i = 0, n = grad.numel(); i < n; ++i) out[i] += a[i] * b[i];
    });
    return;
  }
  accumulate_grad(target, sum_to(g * other, target.shape));
}

}  // namespace detail

using detail::TensorNode;

void detail::undefined_tensor() {
  detail::fail<GraphError>("Tensor: this tensor is undefined (default-constructed or moved from)");
}

std::int64_t Tensor::size(std::int64_t dim) const {
  return shape()[detail::normalize_dim(dim, shape().size(), "size")];
}

double Tensor::at(const std::vector<std::int64_t>& index) const {
  const Shape& s = shape();
  if (index.size() != s.size()) {
    detail::fail<IndexError>("at: {} indices for a {}-d tensor of shape {}", index.size(), s.size(),
                             s);
  }
  std::int64_t flat = 0;
  for (std::size_t k = 0; k < s.size(); ++k) {
    std::int64_t i = index[k] < 0 ? index[k] + s[k] : index[k];
    if (i < 0 || i >= s[k]) {
      detail::fail<IndexError>("at: index {} is out of range for dim {} of size {} (shape {})",
                               index[k], k, s[k], s);
    }
    flat = flat * s[k] + i;
  }
  return detail::visit_any(dtype(), [&](auto zero) {
    using T = decltype(zero);
    return static_cast<double>(self().data<T>()[flat]);
  });
}

double Tensor::item() const {
  if (numel() != 1) {
    detail::fail<ShapeError>("item: the tensor has {} elements (shape {}), not one", numel(),
                             shape());
  }
  return to_vector()[0];
}

std::vector<double> Tensor::to_vector() const { return detail::values_of(self()); }

bool Tensor::is_leaf() const { return self().is_leaf(); }

Tensor& Tensor::requires_grad_(bool required) {
  TensorNode& node = self();
  if (!node.is_leaf()) {
    detail::fail<GraphError>(
        "requires_grad_: '{}' is the result of an op; only leaves can be "
        "marked (use detach() first)",
        node.op->name);
  }
  if (required && !is_floating(node.dtype)) {
    detail::fail<DTypeError>("requires_grad_: only float tensors can require gradients, not {}",
                             node.dtype);
  }
  node.requires_grad = required;
  return *this;
}

Tensor Tensor::detach() const {
  TensorNode& node = self();
  Tensor t = detail::empty_tensor(node.shape, node.dtype);
  t.node()->storage = node.storage;  // shares the data, as PyTorch's detach
  return t;
}

Tensor Tensor::grad() const { return self().grad; }
const SparseGrad& Tensor::sparse_grad() const { return self().sparse_grad; }

Tensor SparseGrad::to_dense(std::int64_t num_rows) const {
  if (!defined()) detail::fail<GraphError>("SparseGrad::to_dense: there is no sparse gradient");
  const Shape shape{num_rows, values.shape()[1]};
  NoGradGuard no_grad;
  return detail::index_add_rows(values, shape, rows);
}

void Tensor::set_grad(const Tensor& grad) {
  if (grad.defined() && grad.shape() != shape()) {
    detail::fail<ShapeError>("set_grad: gradient shape {} differs from the tensor's {}",
                             grad.shape(), shape());
  }
  self().grad = grad;
}

void Tensor::zero_grad() const { detail::zero_grad(&self()); }

void Tensor::backward(const Tensor& grad_output, bool retain_graph, bool create_graph) const {
  TensorNode& node = self();
  if (!node.requires_grad) {
    detail::fail<GraphError>(
        "backward: the tensor does not require a gradient (no input of "
        "'{}' requires one, or it was computed under NoGradGuard)",
        node.op->name);
  }
  if (grad_output.defined()) {
    if (grad_output.shape() != node.shape || grad_output.dtype() != node.dtype) {
      detail::fail<ShapeError>("backward: grad_output is {} {} but the tensor is {} {}",
                               grad_output.dtype(), grad_output.shape(), node.dtype, node.shape);
    }
  } else if (node.numel() != 1) {
    detail::fail<GraphError>(
        "backward: the tensor has shape {}; a gradient can be implied only "
        "for one element, so pass grad_output",
        node.shape);
  }
  detail::backward(&node, {detail::seed_tensor, grad_output.defined() ? &grad_output : nullptr},
                   retain_graph, create_graph);
}

std::string Tensor::label() const { return detail::get_label(&self()); }
Tensor& Tensor::label(std::string text) {
  detail::set_label(&self(), std::move(text));
  return *this;
}
std::string_view Tensor::op_name() const { return self().op->name; }

void Tensor::assign(const Tensor& values) {
  TensorNode& node = self();
  if (values.shape() != node.shape) {
    detail::fail<ShapeError>("assign: values of shape {} into a tensor of shape {}", values.shape(),
                             node.shape);
  }
  if (values.dtype() != node.dtype) {
    detail::fail<DTypeError>("assign: {} values into a {} tensor", values.dtype(), node.dtype);
  }
  std::memmove(node.storage.get(), values.node()->storage.get(),
               node.numel() * dtype_size(node.dtype));
}

}  // namespace ag

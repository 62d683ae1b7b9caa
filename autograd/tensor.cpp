// SPDX-License-Identifier: MIT
// The tensor node kind and the Tensor handle's members that run no op.
#include "autograd/tensor.hpp"

#include <cmath>
#include <cstring>

#include "autograd/error.hpp"
#include "autograd/scope.hpp"
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

// Drops inputs and the op's attributes: what only backward needed.
void release_tensor_graph(Node& node) {
  auto& t = as_tensor(node);
  for (Node*& input : t.in) {
    if (input) release(input);
    input = nullptr;
  }
  for (Node* input : t.more) release(input);
  t.more.clear();
  t.attrs.reset();
}

std::span<Node* const> tensor_more_inputs(const Node& node) { return as_tensor(node).more; }

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
  const auto& t = as_tensor(node);
  return !t.grad.defined() || all_finite(*t.grad.node());
}
bool tensor_value_is_finite(const Node& node) { return all_finite(as_tensor(node)); }
std::uint32_t tensor_version(const Node& node) {
  return storage_version(as_tensor(node).storage.get());
}

// A few numbers in full, else a summary: what a diagram's record shows.
std::string summary(const std::vector<double>& v) {
  constexpr std::size_t kShown = 6;
  if (v.size() <= kShown) return fmt::format("{:.4g}", fmt::join(v, " "));
  double norm = 0, low = v[0], high = v[0];
  for (double x : v) {
    norm += x * x;
    low = std::min(low, x);
    high = std::max(high, x);
  }
  return fmt::format("norm {:.4g}, min {:.4g}, max {:.4g}", std::sqrt(norm), low, high);
}

std::string describe_tensor(const Node& node) {
  const auto& t = as_tensor(node);
  std::string text = fmt::format("{} {}|data {}", t.dtype, t.shape, summary(values_of(t)));
  if (t.grad.defined()) text += fmt::format("|grad {}", summary(t.grad.to_vector()));
  return text;
}
std::string describe_tensor_short(const Node& node) {
  return fmt::format("{} {}", as_tensor(node).dtype, as_tensor(node).shape);
}
std::string tensor_edge_label(const Node& node) { return fmt::format("{}", as_tensor(node).shape); }
std::vector<double> tensor_grad_values(const Node& node) {
  const auto& t = as_tensor(node);
  return t.grad.defined() ? t.grad.to_vector() : std::vector<double>{};
}
void set_tensor_grad_values(Node& node, const std::vector<double>& values) {
  auto& t = as_tensor(node);
  if (values.empty()) {
    t.grad = Tensor();
    return;
  }
  Tensor g = empty_tensor(t.shape, t.dtype, "set_grad");
  visit_floating(t.dtype, "set_grad", [&](auto zero) {
    std::copy(values.begin(), values.end(), g.data<decltype(zero)>());
  });
  t.grad = g;
}

Shape tensor_shape(const Node& node) { return as_tensor(node).shape; }

std::uint32_t tensor_scope(const Node& node) { return as_tensor(node).scope; }

const NodeView tensor_view{.describe = describe_tensor,
                           .describe_short = describe_tensor_short,
                           .edge_label = tensor_edge_label,
                           .shape = tensor_shape,
                           .grad_values = tensor_grad_values,
                           .set_grad_values = set_tensor_grad_values,
                           .scope = tensor_scope};

}  // namespace

const NodeKind tensor_kind{.name = "tensor",
                           .clear_grad = clear_tensor_grad,
                           .destroy = destroy_tensor,
                           .release_graph = release_tensor_graph,
                           .more_inputs = tensor_more_inputs,
                           .grad_is_finite = tensor_grad_is_finite,
                           .value_is_finite = tensor_value_is_finite,
                           .version = tensor_version,
                           .view = &tensor_view};
const Op tensor_leaf{"leaf", "", &tensor_kind, nullptr};

TensorNode::~TensorNode() {
  for (Node* input : more) release(input);
}

Tensor empty_tensor(const Shape& shape, DType dtype, std::string_view op) {
  const std::int64_t n = checked_numel(shape, op);
  const std::uint16_t op_number = op_index(&tensor_leaf);  // may throw: before the allocation
  auto* node = new TensorNode;
  node->op_number = op_number;
  node->shape = shape;
  node->dtype = dtype;
  node->scope = current_scope;  // constants made inside a module belong to it
  Tensor t = Tensor::adopt(node);
  const std::size_t bytes = std::max<std::size_t>(1, n * dtype_size(dtype));
  node->storage = allocate_storage(bytes);
  return t;
}

}  // namespace detail

using detail::TensorNode;

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
        node.op()->name);
  }
  if (required && !is_floating(node.dtype)) {
    detail::fail<DTypeError>("requires_grad_: only float tensors can require gradients, not {}",
                             node.dtype);
  }
  node.set_requires_grad(required);
  return *this;
}

Tensor Tensor::detach() const {
  TensorNode& node = self();
  Tensor t = detail::empty_tensor(node.shape, node.dtype);
  t.node()->storage = node.storage;  // shares the data, as PyTorch's detach
  return t;
}

Tensor Tensor::grad() const { return self().grad; }

Tensor& Tensor::retain_grad() {
  TensorNode& node = self();
  if (!node.requires_grad()) {
    detail::fail<GraphError>("retain_grad: the tensor does not require a gradient");
  }
  if (!node.is_leaf()) node.flags |= detail::Node::kRetainsGrad;  // leaves keep theirs anyway
  return *this;
}
const SparseGrad& Tensor::sparse_grad() const { return self().sparse_grad; }

void Tensor::set_grad(const Tensor& grad) {
  if (grad.defined() && grad.shape() != shape()) {
    detail::fail<ShapeError>("set_grad: gradient shape {} differs from the tensor's {}",
                             grad.shape(), shape());
  }
  self().grad = grad;
}

void Tensor::set_sparse_grad(const SparseGrad& grad) {
  if (grad.defined()) {
    const Shape& own = shape();
    const Shape& rows = grad.rows.shape();
    const Shape& values = grad.values.shape();
    if (own.size() != 2 || rows.size() != 1 || values.size() != 2 || values[0] != rows[0] ||
        values[1] != own[1]) {
      detail::fail<ShapeError>(
          "set_sparse_grad: rows {} and values {} do not fit a row-sparse gradient of {}", rows,
          values, own);
    }
    if (grad.rows.dtype() != DType::int64 || grad.values.dtype() != dtype()) {
      detail::fail<DTypeError>("set_sparse_grad: rows {} and values {} for a {} tensor",
                               dtype_name(grad.rows.dtype()), dtype_name(grad.values.dtype()),
                               dtype_name(dtype()));
    }
    const std::int64_t* r = grad.rows.data<std::int64_t>();
    for (std::int64_t i = 0; i < rows[0]; ++i) {
      if (r[i] < 0 || r[i] >= own[0]) {
        detail::fail<IndexError>("set_sparse_grad: row {} is out of range for {} rows", r[i],
                                 own[0]);
      }
    }
  }
  self().sparse_grad = grad;
}

void Tensor::zero_grad() const { detail::zero_grad(&self()); }

std::string Tensor::label() const { return detail::get_label(&self()); }
Tensor& Tensor::label(std::string text) {
  detail::set_label(&self(), std::move(text));
  return *this;
}
std::string_view Tensor::op_name() const { return self().op()->name; }

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
  mark_modified();
}

void Tensor::set_data(const Tensor& values) {
  TensorNode& node = self();
  if (!is_leaf()) {
    detail::fail<GraphError>("set_data: {} is not a leaf; only leaves' data can be replaced",
                             node.shape);
  }
  if (!values.defined()) detail::fail<GraphError>("set_data: the values are undefined");
  const std::uint32_t old_version = version();
  Tensor copy = detail::empty_tensor(values.shape(), values.dtype(), "set_data");
  std::memcpy(copy.node()->storage.get(), values.node()->storage.get(),
              values.numel() * dtype_size(values.dtype()));
  node.storage = copy.node()->storage;
  node.shape = values.shape();
  if (node.dtype != values.dtype()) node.grad = Tensor();  // a gradient of the old dtype
  node.dtype = values.dtype();
  // A graph that read the old buffer must still see a write.
  detail::storage_version(node.storage.get()) = old_version + 1;
}

std::uint32_t Tensor::version() const { return detail::storage_version(self().storage.get()); }

void Tensor::mark_modified() const { ++detail::storage_version(self().storage.get()); }

}  // namespace ag

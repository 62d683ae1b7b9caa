// What a tensor op file needs: make a result, record it in the graph, reach
// inputs and the output gradient in backward, accumulate input gradients.
// Internal; not installed.
#pragma once

#include <initializer_list>
#include <span>

#include "autograd/ops.hpp"
#include "autograd/tensor.hpp"

namespace ag::detail {

/// Whether gradients flow into `node` (scalar nodes always take them).
inline bool wants_grad(const Node* node) {
  return node->op->kind != &tensor_kind || static_cast<const TensorNode*>(node)->requires_grad;
}

/// Makes the fresh leaf `out` the result of `op` on `inputs` when gradient
/// mode is on and an input wants a gradient; otherwise leaves it a leaf.
/// Returns whether it recorded. Inputs beyond two go to node.more.
bool record(Tensor& out, const Op& op, std::span<Node* const> inputs);
inline bool record(Tensor& out, const Op& op, std::initializer_list<Node*> inputs) {
  return record(out, op, std::span<Node* const>(inputs.begin(), inputs.size()));
}

/// Adds `contribution` into node.grad (nothing when it takes no gradient).
/// While a GradCapture is active (ag::grad), contributions to its listed
/// nodes are collected there and no leaf's .grad changes.
void accumulate_grad(TensorNode& node, const Tensor& contribution);

struct GradCapture {
  struct Slot {
    const Node* node;
    Tensor grad;
  };
  std::vector<Slot> slots;
};
extern constinit thread_local GradCapture* active_capture;
class CaptureScope {
 public:
  explicit CaptureScope(GradCapture* capture) : previous_(active_capture) {
    active_capture = capture;
  }
  ~CaptureScope() { active_capture = previous_; }
  CaptureScope(const CaptureScope&) = delete;
  CaptureScope& operator=(const CaptureScope&) = delete;

 private:
  GradCapture* previous_;
};

/// Seeds a tensor root: grad_output, or ones. `arg` is a const Tensor* or null.
void seed_tensor(Node& root, const void* arg);

/// A handle to input k (k >= 2 reads node.more) of a tensor op's node.
Tensor input(const Node& node, int k);
inline TensorNode& input_node(const Node& node, int k) {
  return *as_tensor(k < 2 ? node.in[k] : static_cast<const TensorNode&>(node).more[k - 2]);
}
/// A handle to the node itself (its forward output).
Tensor output(Node& node);
/// Whether input k takes a gradient.
inline bool input_wants_grad(const Node& node, int k) {
  return wants_grad(k < 2 ? node.in[k] : static_cast<const TensorNode&>(node).more[k - 2]);
}
/// Adds `contribution` into input k's gradient, if it takes one.
inline void accumulate_input(const Node& node, int k, const Tensor& contribution) {
  if (input_wants_grad(node, k)) accumulate_grad(input_node(node, k), contribution);
}

/// Whether `t` is the only handle to its node and the only user of its
/// buffer: then nobody can see it being overwritten.
inline bool owns_alone(const Tensor& t) {
  return t.node()->refs == 1 && t.node()->storage.use_count() == 1;
}

/// f(g, v) elementwise, in one pass (`v` is the op's saved input or output;
/// f multiplies g by the local derivative, in the composite's order so both
/// round alike), written into g's own buffer when nobody else holds g. Undefined while a
/// graph is being recorded (create_graph) or when shapes or dtypes differ:
/// the caller then builds the differentiable composite.
template <class F>
Tensor fused_vjp(const Tensor& g, const Tensor& v, F f) {
  if (is_grad_enabled() || g.shape() != v.shape() || g.dtype() != v.dtype()) return Tensor();
  Tensor out = owns_alone(g) ? g : empty_tensor(g.shape(), g.dtype(), "backward");
  visit_floating(g.dtype(), "backward", [&](auto zero) {
    using T = decltype(zero);
    T* o = out.node()->template data<T>();
    const T* up = g.template data<T>();
    const T* in = v.template data<T>();
    for (std::int64_t i = 0, n = g.numel(); i < n; ++i) o[i] = f(up[i], in[i]);
  });
  return out;
}

/// Adds sum_to(g · other) into input k's gradient, if it takes one; fused
/// into the existing gradient (no temporary) when nothing records or
/// captures and that gradient is unshared and of the same shape. With
/// `last_use_of_g`, an unshared g may be multiplied in place and become the
/// gradient (no allocation): the caller must not read g afterwards.
void accumulate_product(const Node& node, int k, const Tensor& g, const Tensor& other,
                        bool last_use_of_g = false);

/// Every tensor op's backward is `run_backward<vjp>`: the op's
/// vector-Jacobian product, then the node's own gradient is dropped (as
/// PyTorch keeps no interior .grad), which frees memory early and avoids
/// reference cycles under create_graph.
template <void (*vjp)(Node&, const Tensor&)>
void run_backward(Node& node) {
  auto& t = as_tensor(node);
  if (!t.grad.defined()) return;  // nothing reached this node
  const Tensor grad = std::move(t.grad);
  t.grad = Tensor();
  vjp(node, grad);
}

/// zeros(shape) with rows of `values` added at `rows` (dim 0).
Tensor index_add_rows(const Tensor& values, const Shape& shape, const Tensor& rows);

/// Sums `grad` down to `shape`: the adjoint of broadcasting, in one place.
Tensor sum_to(const Tensor& grad, const Shape& shape);

}  // namespace ag::detail

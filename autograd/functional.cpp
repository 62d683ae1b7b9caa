// SPDX-License-Identifier: MIT
// Running backward from tensors: Tensor::backward, and the functional
// gradients. grad() runs the ordinary engine with a capture list
// (tensor_op.hpp): gradients reaching the listed tensors are collected
// there, and no leaf's .grad() changes.
#include "autograd/functional.hpp"

#include <cmath>

#include "autograd/ops.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag {

void Tensor::backward(const Tensor& grad_output, std::optional<bool> retain_graph,
                      bool create_graph) const {
  detail::TensorNode& node = self();
  if (!node.requires_grad()) {
    detail::fail<GraphError>(
        "backward: the tensor does not require a gradient (no input of "
        "'{}' requires one, or it was computed under NoGradGuard)",
        node.op()->name);
  }
  if (grad_output.defined()) {
    if (grad_output.dtype() != node.dtype) {
      detail::fail<DTypeError>("backward: grad_output is {} {} but the tensor is {} {}",
                               grad_output.dtype(), grad_output.shape(), node.dtype, node.shape);
    }
    if (grad_output.shape() != node.shape) {
      detail::fail<ShapeError>("backward: grad_output is {} {} but the tensor is {} {}",
                               grad_output.dtype(), grad_output.shape(), node.dtype, node.shape);
    }
  } else if (node.numel() != 1) {
    detail::fail<GraphError>(
        "backward: the tensor has shape {}; a gradient can be implied only "
        "for one element, so pass grad_output",
        node.shape);
  }
  detail::backward(&node,
                   {detail::seed_tensor, grad_output.defined() ? grad_output.node() : nullptr},
                   retain_graph.value_or(create_graph), create_graph);
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, bool create_graph,
                         std::optional<bool> retain_graph, bool allow_unused) {
  if (!grad_outputs.empty() && grad_outputs.size() != outputs.size()) {
    detail::fail<ValueError>("grad: {} grad_outputs for {} outputs", grad_outputs.size(),
                             outputs.size());
  }
  detail::GradCapture capture;
  for (const Tensor& input : inputs) {
    if (!input.requires_grad()) {
      detail::fail<GraphError>("grad: an input of shape {} does not require a gradient",
                               input.shape());
    }
    capture.slots.push_back({input.node(), Tensor()});
  }
  const bool retain = retain_graph.value_or(create_graph);
  {
    detail::CaptureScope scope(&capture);
    for (std::size_t k = 0; k < outputs.size(); ++k) {
      const bool last = k + 1 == outputs.size();
      const Tensor seed = grad_outputs.empty() ? Tensor() : grad_outputs[k];
      outputs[k].backward(seed, !last || retain, create_graph);
    }
  }
  std::vector<Tensor> result;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& g = capture.slots[i].grad;
    if (!g.defined() && !allow_unused) {
      detail::fail<GraphError>(
          "grad: input {} ({} {}) is not used to compute the outputs; pass allow_unused = true "
          "to get an undefined tensor for it",
          i, inputs[i].dtype(), inputs[i].shape());
    }
    result.push_back(g);
  }
  return result;
}

namespace {

// Copies of `inputs` that require gradients: the functional API's own leaves.
std::vector<Tensor> fresh_leaves(const std::vector<Tensor>& inputs) {
  std::vector<Tensor> out;
  for (const Tensor& x : inputs) out.push_back(x.detach().requires_grad_());
  return out;
}

Tensor or_zeros(const Tensor& g, const Tensor& like) {
  return g.defined() ? g.detach() : zeros(like.shape(), like.dtype());
}

void check_vectors(std::string_view op, const std::vector<Tensor>& inputs,
                   const std::vector<Tensor>& v) {
  if (v.size() != inputs.size()) {
    detail::fail<ValueError>("{}: {} vectors for {} inputs", op, v.size(), inputs.size());
  }
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i].shape() != inputs[i].shape() || v[i].dtype() != inputs[i].dtype()) {
      detail::fail<ShapeError>("{}: vector {} is {} {} but input {} is {} {}", op, i, v[i].dtype(),
                               v[i].shape(), i, inputs[i].dtype(), inputs[i].shape());
    }
  }
}

// Σ_i a_i·b_i over the defined a_i, as one recorded scalar (undefined: none).
Tensor dot_all(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  Tensor total;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i].defined() || !a[i].requires_grad()) continue;
    const Tensor term = sum(a[i] * b[i]);
    total = total.defined() ? total + term : term;
  }
  return total;
}

// Rows of d out / d xs[j], one backward per element of `out`.
std::vector<Tensor> jacobian_of(const Tensor& out, const std::vector<Tensor>& xs) {
  const std::int64_t n = out.numel();
  std::vector<std::vector<Tensor>> rows(xs.size());
  for (std::int64_t i = 0; i < n && out.requires_grad(); ++i) {
    Tensor one_hot = zeros({n}, out.dtype());
    detail::visit_floating(out.dtype(), "jacobian",
                           [&](auto zero) { one_hot.data<decltype(zero)>()[i] = 1; });
    const std::vector<Tensor> g = grad({out}, xs, {reshape(one_hot, out.shape())}, false,
                                       /*retain_graph=*/true, /*allow_unused=*/true);
    for (std::size_t j = 0; j < xs.size(); ++j) rows[j].push_back(or_zeros(g[j], xs[j]));
  }
  std::vector<Tensor> result;
  for (std::size_t j = 0; j < xs.size(); ++j) {
    Shape shape = out.shape();
    shape.insert(shape.end(), xs[j].shape().begin(), xs[j].shape().end());
    result.push_back(rows[j].empty() ? zeros(shape, xs[j].dtype())
                                     : reshape(stack(rows[j]), shape).detach());
  }
  return result;
}

}  // namespace

std::pair<Tensor, std::vector<Tensor>> vjp(const Function& f, const std::vector<Tensor>& inputs,
                                           const Tensor& v) {
  const std::vector<Tensor> xs = fresh_leaves(inputs);
  const Tensor out = f(xs);
  std::vector<Tensor> result(xs.size());
  if (out.requires_grad()) {
    result = grad({out}, xs, {v.defined() ? v : Tensor()}, false, false, /*allow_unused=*/true);
  } else if (v.defined() && v.shape() != out.shape()) {
    detail::fail<ShapeError>("vjp: v is {} but f's output is {}", v.shape(), out.shape());
  }
  for (std::size_t i = 0; i < xs.size(); ++i) result[i] = or_zeros(result[i], xs[i]);
  return {out.detach(), result};
}

std::pair<Tensor, Tensor> jvp(const Function& f, const std::vector<Tensor>& inputs,
                              const std::vector<Tensor>& v) {
  check_vectors("jvp", inputs, v);
  const std::vector<Tensor> xs = fresh_leaves(inputs);
  const Tensor out = f(xs);
  if (!out.requires_grad()) return {out.detach(), zeros(out.shape(), out.dtype())};
  // vᵀJ for a symbolic upstream u is linear in u; its derivative in u along v is Jv.
  const Tensor u = zeros(out.shape(), out.dtype()).requires_grad_();
  const std::vector<Tensor> g = grad({out}, xs, {u}, /*create_graph=*/true, std::nullopt, true);
  const Tensor s = dot_all(g, v);
  if (!s.defined() || !s.requires_grad()) return {out.detach(), zeros(out.shape(), out.dtype())};
  return {out.detach(), or_zeros(grad({s}, {u}, {}, false, false, true)[0], u)};
}

std::pair<Tensor, std::vector<Tensor>> hvp(const Function& f, const std::vector<Tensor>& inputs,
                                           const std::vector<Tensor>& v) {
  check_vectors("hvp", inputs, v);
  const std::vector<Tensor> xs = fresh_leaves(inputs);
  const Tensor out = f(xs);
  if (out.numel() != 1) {
    detail::fail<ShapeError>("hvp: f must return one element, got shape {}", out.shape());
  }
  std::vector<Tensor> result(xs.size());
  if (out.requires_grad()) {
    const std::vector<Tensor> g = grad({out}, xs, {}, /*create_graph=*/true, std::nullopt, true);
    const Tensor s = dot_all(g, v);
    if (s.defined() && s.requires_grad()) result = grad({s}, xs, {}, false, false, true);
  }
  for (std::size_t i = 0; i < xs.size(); ++i) result[i] = or_zeros(result[i], xs[i]);
  return {out.detach(), result};
}

std::vector<Tensor> jacobian(const Function& f, const std::vector<Tensor>& inputs) {
  const std::vector<Tensor> xs = fresh_leaves(inputs);
  return jacobian_of(f(xs), xs);
}

Tensor jacobian(const std::function<Tensor(const Tensor&)>& f, const Tensor& x) {
  return jacobian([&](const std::vector<Tensor>& in) { return f(in[0]); }, {x})[0];
}

std::vector<std::vector<Tensor>> hessian(const Function& f, const std::vector<Tensor>& inputs) {
  const std::vector<Tensor> xs = fresh_leaves(inputs);
  const Tensor out = f(xs);
  if (out.numel() != 1) {
    detail::fail<ShapeError>("hessian: f must return one element, got shape {}", out.shape());
  }
  std::vector<Tensor> g(xs.size());
  if (out.requires_grad()) g = grad({out}, xs, {}, /*create_graph=*/true, std::nullopt, true);
  std::vector<std::vector<Tensor>> result;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    // Rows of H_i·: the Jacobian of ∂f/∂x_i (zeros where it is constant).
    const Tensor gi = g[i].defined() ? g[i] : zeros(xs[i].shape(), xs[i].dtype());
    result.push_back(jacobian_of(gi, xs));
  }
  return result;
}

Tensor hessian(const std::function<Tensor(const Tensor&)>& f, const Tensor& x) {
  return hessian([&](const std::vector<Tensor>& in) { return f(in[0]); }, {x})[0][0];
}

}  // namespace ag

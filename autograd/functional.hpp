// SPDX-License-Identifier: MIT
// Gradients as functions, as torch.autograd's grad and
// torch.autograd.functional: grad, vjp, jvp, hvp, jacobian, hessian.
#pragma once

#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "autograd/gradcheck.hpp"
#include "autograd/tensor.hpp"

namespace ag {

/// d(Σ_k grad_outputs[k]·outputs[k]) / d(inputs[i]) for each input, like
/// torch.autograd.grad: nothing is accumulated into any tensor's .grad().
/// An empty grad_outputs means ones for one-element outputs. With
/// `create_graph` the results are differentiable (higher-order gradients).
/// `retain_graph` keeps the outputs' graph for another backward; it defaults
/// to `create_graph`, as in PyTorch. An input the outputs do not depend on is
/// a GraphError naming it, unless `allow_unused`: then its result is an
/// undefined Tensor (PyTorch's None).
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, bool create_graph = false,
                         std::optional<bool> retain_graph = std::nullopt,
                         bool allow_unused = false);

/// A function of several tensors, for the functional API below.
using Function = std::function<Tensor(const std::vector<Tensor>&)>;

/// f's output at `inputs`, and its vector-Jacobian products vᵀ ∂f/∂x_i (one
/// per input, zeros where f does not depend on x_i); `v` has f's shape
/// (undefined: ones, for a one-element f). torch.autograd.functional.vjp.
std::pair<Tensor, std::vector<Tensor>> vjp(const Function& f, const std::vector<Tensor>& inputs,
                                           const Tensor& v = Tensor());

/// f's output and its Jacobian-vector product Σ_i ∂f/∂x_i · v_i (f's shape),
/// each v_i of x_i's shape. Computed as the derivative of a vjp with respect
/// to its upstream vector (the double-vjp trick), so every op's second
/// derivative takes part. torch.autograd.functional.jvp.
std::pair<Tensor, Tensor> jvp(const Function& f, const std::vector<Tensor>& inputs,
                              const std::vector<Tensor>& v);

/// f's (one-element) output and the Hessian-vector products H·v: for each
/// x_i, Σ_j ∂²f/∂x_i∂x_j · v_j. torch.autograd.functional.hvp.
std::pair<Tensor, std::vector<Tensor>> hvp(const Function& f, const std::vector<Tensor>& inputs,
                                           const std::vector<Tensor>& v);

/// J_i[a..., b...] = ∂f(x)[a...] / ∂x_i[b...] for each input, of shape
/// f.shape + x_i.shape.
std::vector<Tensor> jacobian(const Function& f, const std::vector<Tensor>& inputs);
/// The same for a function of one tensor.
Tensor jacobian(const std::function<Tensor(const Tensor&)>& f, const Tensor& x);

/// H_ij[a..., b...] = ∂²f / ∂x_i[a...] ∂x_j[b...] for a one-element f, of
/// shape x_i.shape + x_j.shape.
std::vector<std::vector<Tensor>> hessian(const Function& f, const std::vector<Tensor>& inputs);
/// The same for a function of one tensor.
Tensor hessian(const std::function<Tensor(const Tensor&)>& f, const Tensor& x);

}  // namespace ag

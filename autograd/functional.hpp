// Gradients as functions: grad, jacobian, hessian, and gradcheck.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "autograd/tensor.hpp"

namespace ag {

/// d(Σ_k grad_outputs[k]·outputs[k]) / d(inputs[i]) for each input, like
/// torch.autograd.grad: nothing is accumulated into any tensor's .grad().
/// An empty grad_outputs means ones for one-element outputs. With
/// create_graph the results are differentiable (higher-order gradients).
/// An input the outputs do not depend on gets zeros.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, bool create_graph = false);

/// J[i..., j...] = d f(x)[i...] / d x[j...], shape f(x).shape + x.shape.
Tensor jacobian(const std::function<Tensor(const Tensor&)>& f, const Tensor& x);

/// H[i..., j...] = d² f(x) / d x[i...] d x[j...] for a one-element f.
Tensor hessian(const std::function<Tensor(const Tensor&)>& f, const Tensor& x);

/// What gradcheck found: the worst element's analytic and numeric values.
struct GradcheckResult {
  bool ok = true;
  double worst_error = 0.0;  ///< |analytic - numeric| - rtol·|numeric| at the worst element
  std::string worst;         ///< "input 1, element 3: analytic 0.5, numeric 0.49"
};

/// Checks the vector-Jacobian products of `f` at float64 `inputs` against
/// central differences: for a random upstream v, the gradient of Σ v·f(x)
/// against (F(x + eps e_j) - F(x - eps e_j)) / 2eps for every element j of
/// every input that requires a gradient. Passes when
/// |analytic - numeric| <= atol + rtol·|numeric| everywhere.
GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                          const std::vector<Tensor>& inputs, double eps = 1e-6, double atol = 1e-5,
                          double rtol = 1e-3);

}  // namespace ag

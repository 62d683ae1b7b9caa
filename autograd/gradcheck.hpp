// SPDX-License-Identifier: MIT
// Checking derivatives against finite differences: gradcheck (first
// derivatives) and gradgradcheck (second), as torch.autograd's.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "autograd/tensor.hpp"

namespace ag {

/// What a check found: the worst element's analytic and numeric values.
struct GradcheckResult {
  bool ok = true;            ///< every element within tolerance
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

/// Checks the second derivatives of `f` the way PyTorch's gradgradcheck
/// does: the first-derivative function (x, v) ↦ ∂(v·f(x))/∂x, computed with
/// create_graph and a random upstream v, must itself pass gradcheck, with
/// respect to the inputs and to v. So every op's backward must be built from
/// differentiable ops. Same tolerances as gradcheck.
GradcheckResult gradgradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                              const std::vector<Tensor>& inputs, double eps = 1e-6,
                              double atol = 1e-5, double rtol = 1e-3);

}  // namespace ag

// SPDX-License-Identifier: MIT
// Derivatives against central differences: gradcheck, and gradgradcheck
// (gradcheck of the first-derivative function, built with create_graph).
#include "autograd/gradcheck.hpp"

#include <cmath>

#include "autograd/functional.hpp"
#include "autograd/generator.hpp"
#include "autograd/grad_mode.hpp"
#include "autograd/ops.hpp"

namespace ag {

GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                          const std::vector<Tensor>& inputs, double eps, double atol, double rtol) {
  std::vector<Tensor> xs;
  for (const Tensor& x : inputs) {
    if (x.dtype() != DType::float64 && is_floating(x.dtype())) {
      detail::fail<DTypeError>("gradcheck: inputs must be float64 for accurate differences, not {}",
                               x.dtype());
    }
    Tensor copy = Tensor::from(x.to_vector(), x.shape()).to(x.dtype());  // own buffer
    if (x.requires_grad()) copy.requires_grad_();
    xs.push_back(copy);
  }
  const Tensor out = f(xs);
  Generator gen(1234);
  const Tensor v = randn(out.shape(), gen, out.dtype());
  std::vector<Tensor> wanted;
  for (const Tensor& x : xs) {
    if (x.requires_grad()) wanted.push_back(x);
  }
  const std::vector<Tensor> analytic =
      out.requires_grad() ? grad({out}, wanted, {v}, false, false, /*allow_unused=*/true)
                          : std::vector<Tensor>{};
  auto projected = [&](const std::vector<Tensor>& args) {
    NoGradGuard no_grad;
    return sum(f(args) * v).item();
  };
  GradcheckResult result;
  std::size_t w = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (!xs[i].requires_grad()) continue;
    const std::vector<double> a = analytic.empty() || !analytic[w].defined()
                                      ? std::vector<double>(xs[i].numel(), 0.0)
                                      : analytic[w].to_vector();
    ++w;
    for (std::int64_t j = 0; j < xs[i].numel(); ++j) {
      double* p = xs[i].data<double>() + j;
      const double saved = *p;
      *p = saved + eps;
      const double up = projected(xs);
      *p = saved - eps;
      const double down = projected(xs);
      *p = saved;
      const double numeric = (up - down) / (2 * eps);
      const double error = std::fabs(a[j] - numeric) - rtol * std::fabs(numeric);
      if (error > result.worst_error || std::isnan(a[j]) != std::isnan(numeric)) {
        result.worst_error = std::isnan(error) ? INFINITY : error;
        result.worst =
            fmt::format("input {}, element {}: analytic {}, numeric {}", i, j, a[j], numeric);
      }
    }
  }
  result.ok = result.worst_error <= atol;
  return result;
}

GradcheckResult gradgradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                              const std::vector<Tensor>& inputs, double eps, double atol,
                              double rtol) {
  Tensor out;
  {
    NoGradGuard no_grad;
    out = f(inputs);
  }
  Generator gen(4321);
  std::vector<Tensor> args = inputs;
  args.push_back(randn(out.shape(), gen, DType::float64).requires_grad_());
  const std::size_t n = inputs.size();
  // (x, v) ↦ ∂(v·f(x))/∂x, flattened and joined: recorded, so gradcheck can
  // differentiate it (gradcheck's own evaluations turn recording off).
  auto first_derivative = [&](const std::vector<Tensor>& a) {
    GradModeGuard recording(true);
    const std::vector<Tensor> xs(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(n));
    std::vector<Tensor> wanted;
    for (const Tensor& x : xs) {
      if (x.requires_grad()) wanted.push_back(x);
    }
    const Tensor y = f(xs);
    std::vector<Tensor> parts;
    const std::vector<Tensor> grads =
        y.requires_grad() ? grad({y}, wanted, {a[n]}, /*create_graph=*/true, std::nullopt,
                                 /*allow_unused=*/true)
                          : std::vector<Tensor>(wanted.size());
    for (std::size_t i = 0; i < wanted.size(); ++i) {
      const Tensor g = grads[i].defined() ? grads[i] : zeros(wanted[i].shape(), DType::float64);
      parts.push_back(reshape(g, {-1}));
    }
    return parts.empty() ? zeros({0}, DType::float64) : cat(parts);
  };
  return gradcheck(first_derivative, args, eps, atol, rtol);
}

}  // namespace ag

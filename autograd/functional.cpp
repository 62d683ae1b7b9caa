// Running backward from tensors: Tensor::backward, and the functional
// gradients. grad() runs the ordinary engine with a capture list
// (tensor_op.hpp): gradients reaching the listed tensors are collected
// there, and no leaf's .grad() changes.
#include "autograd/functional.hpp"

#include <cmath>

#include "autograd/generator.hpp"
#include "autograd/ops.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag {

void Tensor::backward(const Tensor& grad_output, bool retain_graph, bool create_graph) const {
  detail::TensorNode& node = self();
  if (!node.requires_grad()) {
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
  detail::backward(&node,
                   {detail::seed_tensor, grad_output.defined() ? grad_output.node() : nullptr},
                   retain_graph, create_graph);
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, bool create_graph) {
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
  detail::CaptureScope scope(&capture);
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    const bool last = k + 1 == outputs.size();
    const Tensor seed = grad_outputs.empty() ? Tensor() : grad_outputs[k];
    outputs[k].backward(seed, /*retain_graph=*/!last || create_graph, create_graph);
  }
  std::vector<Tensor> result;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& g = capture.slots[i].grad;
    result.push_back(g.defined() ? g : zeros(inputs[i].shape(), inputs[i].dtype()));
  }
  return result;
}

namespace {

// Rows of d out / d x, one backward per element of `out`.
Tensor jacobian_of(const Tensor& out, const Tensor& x, bool create_graph) {
  std::vector<Tensor> rows;
  const std::int64_t n = out.numel();
  for (std::int64_t i = 0; i < n; ++i) {
    Tensor one_hot = zeros({n}, out.dtype());
    detail::visit_floating(out.dtype(), "jacobian",
                           [&](auto zero) { one_hot.data<decltype(zero)>()[i] = 1; });
    const Tensor seed = reshape(one_hot, out.shape());
    const bool keep = create_graph || i + 1 < n;
    rows.push_back(grad({out}, {x}, {seed}, keep)[0]);
  }
  Shape shape = out.shape();
  shape.insert(shape.end(), x.shape().begin(), x.shape().end());
  return rows.empty() ? zeros(shape, x.dtype()) : reshape(stack(rows), shape);
}

}  // namespace

Tensor jacobian(const std::function<Tensor(const Tensor&)>& f, const Tensor& x) {
  const Tensor input = x.detach().requires_grad_();
  return jacobian_of(f(input), input, false).detach();
}

Tensor hessian(const std::function<Tensor(const Tensor&)>& f, const Tensor& x) {
  const Tensor input = x.detach().requires_grad_();
  const Tensor out = f(input);
  if (out.numel() != 1) {
    detail::fail<ShapeError>("hessian: f must return one element, got shape {}", out.shape());
  }
  const Tensor g = grad({out}, {input}, {}, /*create_graph=*/true)[0];
  if (!g.requires_grad()) {  // f is linear in x
    Shape shape = x.shape();
    shape.insert(shape.end(), x.shape().begin(), x.shape().end());
    return zeros(shape, x.dtype());
  }
  return jacobian_of(g, input, false).detach();
}

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
      out.requires_grad() ? grad({out}, wanted, {v}) : std::vector<Tensor>{};
  auto projected = [&](const std::vector<Tensor>& args) {
    NoGradGuard no_grad;
    return sum(f(args) * v).item();
  };
  GradcheckResult result;
  std::size_t w = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (!xs[i].requires_grad()) continue;
    const std::vector<double> a =
        analytic.empty() ? std::vector<double>(xs[i].numel(), 0.0) : analytic[w].to_vector();
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

}  // namespace ag

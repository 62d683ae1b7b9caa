// Custom ops: the closure lives in the node's `custom` slot; one Op table
// serves them all.
#include "autograd/custom_op.hpp"

#include "autograd/ops/tensor_op.hpp"

namespace ag {
namespace detail {
namespace {

void custom_vjp(Node& n, const Tensor& g) {
  TensorNode& node = as_tensor(n);
  const CustomFunction& fn = *node.custom;
  std::vector<Tensor> inputs;
  const std::size_t count = (node.in[0] ? 1 : 0) + (node.in[1] ? 1 : 0) + node.more.size();
  for (std::size_t k = 0; k < count; ++k) inputs.push_back(input(n, static_cast<int>(k)));
  const std::vector<Tensor> grads = fn.backward(inputs, output(n), g);
  if (grads.size() != inputs.size()) {
    fail<ShapeError>("{}: backward returned {} gradients for {} inputs", fn.name, grads.size(),
                     inputs.size());
  }
  for (std::size_t k = 0; k < grads.size(); ++k) {
    if (!grads[k].defined()) continue;
    if (grads[k].shape() != inputs[k].shape()) {
      fail<ShapeError>("{}: backward returned a gradient of shape {} for input {} of shape {}",
                       fn.name, grads[k].shape(), k, inputs[k].shape());
    }
    accumulate_input(n, static_cast<int>(k), grads[k]);
  }
}

}  // namespace

const Op custom_tensor_op{"custom", "custom", &tensor_kind, run_backward<custom_vjp>};

}  // namespace detail

Tensor custom_op(const std::string& name, const std::vector<Tensor>& inputs,
                 const std::function<Tensor(const std::vector<Tensor>&)>& forward,
                 Backward backward) {
  if (inputs.empty()) detail::fail<ValueError>("{}: a custom op needs at least one input", name);
  Tensor result;
  {
    NoGradGuard no_grad;
    result = forward(inputs);
  }
  // A fresh leaf of our own, whatever forward returned (it may be an input).
  Tensor out = result.detach();
  std::vector<detail::Node*> nodes;
  for (const Tensor& x : inputs) nodes.push_back(x.node());
  if (detail::record(out, detail::custom_tensor_op, nodes)) {
    out.node()->custom =
        std::make_shared<detail::CustomFunction>(detail::CustomFunction{name, std::move(backward)});
  }
  return out;
}

}  // namespace ag

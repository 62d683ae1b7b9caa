// SPDX-License-Identifier: MIT
// Custom ops: one op table serves them all; each node keeps the user's
// name and backward in its attributes.
#include "autograd/custom_op.hpp"

#include "autograd/ops/tensor_op.hpp"

namespace ag {
using namespace detail;

namespace {

struct CustomAttrs {
  std::shared_ptr<const std::pair<std::string, Backward>> fn;  // name, backward
};

void custom_vjp(TensorNode& n, const Tensor& g) {
  const auto& [name, backward] = *attrs<CustomAttrs>(n).fn;
  std::vector<Tensor> inputs;
  const std::size_t count = (n.in[0] ? 1 : 0) + (n.in[1] ? 1 : 0) + n.more.size();
  for (std::size_t k = 0; k < count; ++k) inputs.push_back(input(n, static_cast<int>(k)));
  const std::vector<Tensor> grads = backward(inputs, output(n), g);
  if (grads.size() != inputs.size()) {
    fail<ShapeError>("{}: backward returned {} gradients for {} inputs", name, grads.size(),
                     inputs.size());
  }
  for (std::size_t k = 0; k < grads.size(); ++k) {
    if (!grads[k].defined()) continue;
    if (grads[k].shape() != inputs[k].shape()) {
      fail<ShapeError>("{}: backward returned a gradient of shape {} for input {} of shape {}",
                       name, grads[k].shape(), k, inputs[k].shape());
    }
    accumulate_input(n, static_cast<int>(k), grads[k]);
  }
}
std::string custom_label(const Node& n) { return attrs<CustomAttrs>(as_tensor(n)).fn->first; }
const Op custom_tensor_op{"custom",
                          "custom",
                          &tensor_kind,
                          run_backward<custom_vjp>,
                          custom_label,
                          nullptr,
                          kSavesInputs | kSavesOutput};

}  // namespace

Tensor custom_op(const std::string& name, const std::vector<Tensor>& inputs,
                 const std::function<Tensor(const std::vector<Tensor>&)>& forward,
                 Backward backward) {
  if (inputs.empty()) fail<ValueError>("{}: a custom op needs at least one input", name);
  Tensor result;
  {
    NoGradGuard no_grad;
    result = forward(inputs);
  }
  // A fresh leaf of our own, whatever forward returned (it may be an input).
  Tensor out = result.detach();
  std::vector<Node*> nodes;
  for (const Tensor& x : inputs) nodes.push_back(x.node());
  if (record(out, custom_tensor_op, nodes)) {
    out.node()->attrs.emplace(CustomAttrs{
        std::make_shared<const std::pair<std::string, Backward>>(name, std::move(backward))});
  }
  return out;
}

}  // namespace ag

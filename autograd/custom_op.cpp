// SPDX-License-Identifier: MIT
// Custom ops: one op table serves them all; each node keeps the user's
// name and backward in its attributes.
#include "autograd/custom_op.hpp"

#include "autograd/ops/tensor_op.hpp"

namespace ag {
using namespace detail;

namespace {

struct CustomAttrs {
  struct Fn {
    std::string name;
    Backward backward;
    std::size_t count;            // inputs as given, undefined ones included
    std::vector<std::size_t> at;  // where each recorded input stands among them
  };
  std::shared_ptr<const Fn> fn;
};

void custom_vjp(TensorNode& n, const Tensor& g) {
  const CustomAttrs::Fn& fn = *attrs<CustomAttrs>(n).fn;
  std::vector<Tensor> inputs(fn.count);  // an optional input left out stays undefined
  for (std::size_t k = 0; k < fn.at.size(); ++k) inputs[fn.at[k]] = input(n, static_cast<int>(k));
  const std::vector<Tensor> grads = fn.backward(inputs, output(n), g);
  if (grads.size() != inputs.size()) {
    fail<ShapeError>("{}: backward returned {} gradients for {} inputs", fn.name, grads.size(),
                     inputs.size());
  }
  for (std::size_t k = 0; k < fn.at.size(); ++k) {
    const Tensor& grad = grads[fn.at[k]];
    if (!grad.defined()) continue;
    if (grad.shape() != inputs[fn.at[k]].shape()) {
      fail<ShapeError>("{}: backward returned a gradient of shape {} for input {} of shape {}",
                       fn.name, grad.shape(), fn.at[k], inputs[fn.at[k]].shape());
    }
    accumulate_input(n, static_cast<int>(k), grad);
  }
}
std::string custom_label(const Node& n) { return attrs<CustomAttrs>(as_tensor(n)).fn->name; }
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
  if (!forward || !backward) {  // not std::bad_function_call at backward time
    detail::fail<ValueError>("custom_op '{}': the {} function is empty", name,
                             !forward ? "forward" : "backward");
  }
  // An undefined input is an optional one left out (a tutorial's `bias =
  // torch::Tensor()`): forward and backward see it undefined, the graph
  // does not record it.
  std::vector<Node*> nodes;
  std::vector<std::size_t> at;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    if (!inputs[k].defined()) continue;
    nodes.push_back(inputs[k].node());
    at.push_back(k);
  }
  if (nodes.empty()) {
    fail<ValueError>("{}: a custom op needs at least one defined input ({} given, none defined)",
                     name, inputs.size());
  }
  Tensor result;
  {
    NoGradGuard no_grad;
    result = forward(inputs);
  }
  if (!result.defined()) fail<ValueError>("{}: forward returned an undefined tensor", name);
  // A fresh leaf of our own, whatever forward returned (it may be an input).
  Tensor out = result.detach();
  if (record(out, custom_tensor_op, nodes)) {
    out.node()->attrs.emplace(CustomAttrs{std::make_shared<const CustomAttrs::Fn>(
        CustomAttrs::Fn{name, std::move(backward), inputs.size(), std::move(at)})});
  }
  return out;
}

}  // namespace ag

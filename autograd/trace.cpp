// The backward trace runs the same reverse sweep as the engine, one node at
// a time, and measures each op's local derivatives by running its backward
// with a unit upstream gradient. It is a teaching and debugging tool: a
// separate, slower path, so the engine itself stays as lean as it is.
#include "autograd/trace.hpp"

#include <cmath>
#include <unordered_map>

#include "autograd/dot.hpp"
#include "autograd/grad_mode.hpp"
#include "autograd/ops.hpp"
#include "autograd/ops/scalar_op.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag {
namespace {

using detail::Node;

bool is_scalar(const Node* n) { return n->op->kind == &detail::scalar_kind; }

double norm(const Tensor& t) {
  if (!t.defined()) return 0.0;
  double s = 0;
  for (double v : t.to_vector()) s += v * v;
  return std::sqrt(s);
}

Tensor tensor_grad(Node* n) { return detail::as_tensor(n)->grad; }

std::vector<TraceStep> trace(Node* root, void (*seed)(Node&)) {
  const std::vector<Node*> order = detail::topological_order(root);
  std::unordered_map<const Node*, std::string> names;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const std::string label = detail::get_label(order[i]);
    names[order[i]] = !label.empty() ? label : fmt::format("{}#{}", order[i]->op->name, i);
  }
  for (Node* n : order) {
    if (!n->is_leaf()) n->op->kind->clear_grad(*n);
  }
  seed(*root);
  GradModeGuard no_graph(false);
  std::vector<TraceStep> steps;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node* n = *it;
    if (n->is_leaf()) continue;
    std::vector<Node*> inputs;
    detail::for_each_input(*n, [&](Node* in) {
      if (std::find(inputs.begin(), inputs.end(), in) == inputs.end()) inputs.push_back(in);
    });
    const bool all_scalar = is_scalar(n) && std::all_of(inputs.begin(), inputs.end(),
                                                        [](Node* in) { return is_scalar(in); });
    if (all_scalar) {
      // Run the op's backward with upstream 1 on zeroed inputs: that leaves
      // d(node)/d(input) in each input's grad; then put the real sums back.
      auto& out = *detail::as_scalar(n);
      const double upstream = out.grad;
      std::vector<double> saved;
      for (Node* in : inputs) {
        saved.push_back(detail::as_scalar(in)->grad);
        detail::as_scalar(in)->grad = 0.0;
      }
      out.grad = 1.0;
      n->op->backward(*n);
      out.grad = upstream;
      for (std::size_t k = 0; k < inputs.size(); ++k) {
        auto& in = *detail::as_scalar(inputs[k]);
        const double local = in.grad;
        in.grad = saved[k] + local * upstream;
        steps.push_back({names[n],
                         n->op->name,
                         names[inputs[k]],
                         upstream,
                         local,
                         local * upstream,
                         false,
                         {},
                         n,
                         inputs[k]});
      }
      continue;
    }
    // Tensor steps (or a scalar made from a tensor): measure what each input gained.
    const double upstream =
        is_scalar(n) ? detail::as_scalar(n)->grad : norm(detail::as_tensor(n)->grad);
    std::vector<Tensor> before;
    std::vector<double> scalar_before;
    for (Node* in : inputs) {
      before.push_back(is_scalar(in) ? Tensor() : tensor_grad(in));
      scalar_before.push_back(is_scalar(in) ? detail::as_scalar(in)->grad : 0.0);
    }
    n->op->backward(*n);
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      Node* in = inputs[k];
      TraceStep step{names[n], n->op->name, names[in], upstream, NAN, 0, true, {}, n, in};
      if (is_scalar(in)) {
        step.contribution = detail::as_scalar(in)->grad - scalar_before[k];
      } else {
        const Tensor after = tensor_grad(in);
        if (!after.defined()) continue;  // takes no gradient
        step.shape = after.shape();
        step.contribution = norm(before[k].defined() ? after - before[k] : after);
      }
      steps.push_back(step);
    }
  }
  return steps;
}

}  // namespace

std::vector<TraceStep> trace_backward(const Scalar& root) {
  return trace(root.node(), [](Node& r) { detail::as_scalar(&r)->grad += 1.0; });
}

std::vector<TraceStep> trace_backward(const Tensor& root) {
  if (root.numel() != 1) {
    detail::fail<GraphError>("trace_backward: the root has shape {}, not one element",
                             root.shape());
  }
  return trace(root.node(), [](Node& r) { detail::seed_tensor(r, nullptr); });
}

std::string format_trace(const std::vector<TraceStep>& steps) {
  std::string out =
      fmt::format("{:>4}  {:<14} {:<11} {:<14} {:>12} {:>17} {:>20}\n", "step", "node", "op",
                  "input", "dL/d(node)", "d(node)/d(input)", "adds to dL/d(input)");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const TraceStep& s = steps[i];
    const std::string local =
        s.tensor ? fmt::format("vjp {}", s.shape) : fmt::format("{:.6f}", s.local);
    out +=
        fmt::format("{:>4}  {:<14} {:<11} {:<14} {:>12.6f} {:>17} {:>20.6f}{}\n", i + 1, s.node,
                    s.op, s.input, s.upstream, local, s.contribution, s.tensor ? "  (norms)" : "");
  }
  return out;
}

std::string to_dot(const Scalar& root, const std::vector<TraceStep>& steps) {
  std::unordered_map<const Node*, std::unordered_map<const Node*, double>> local;
  for (const TraceStep& s : steps) {
    if (!s.tensor) local[s.node_id][s.input_id] = s.local;
  }
  // An input used twice (x * x) has one step with both uses added: label its first edge.
  std::unordered_map<const Node*, std::unordered_map<const Node*, bool>> labelled;
  return detail::graph_to_dot(root.node(), [&](const Node& input, const Node& consumer) {
    const auto it = local.find(&consumer);
    if (it == local.end() || !it->second.count(&input) || labelled[&consumer][&input])
      return std::string();
    labelled[&consumer][&input] = true;
    return fmt::format("×{:.4g}", it->second.at(&input));
  });
}

}  // namespace ag

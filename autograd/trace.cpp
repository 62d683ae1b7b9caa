// SPDX-License-Identifier: MIT
// The backward trace: an observer of the engine's own sweep (node.hpp), so
// it sees exactly the steps backward() takes. Before each op's backward it
// records the gradients involved; for single-element nodes it also probes
// the op with a unit upstream gradient, which leaves each local derivative
// d(node)/d(input) in the input's gradient, then restores everything.
#include "autograd/trace.hpp"

#include <cmath>
#include <unordered_map>

#include "autograd/dot.hpp"

namespace ag {
namespace {

using detail::Node;

const detail::NodeView& view(const Node& n) { return *n.op()->kind->view; }

std::int64_t count(const Shape& shape) {
  std::int64_t n = 1;
  for (std::int64_t size : shape) n *= size;
  return n;
}

double norm(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x * x;
  return std::sqrt(s);
}

class Tracer : public detail::BackwardObserver {
 public:
  explicit Tracer(Node* root) {
    const std::vector<Node*> order = detail::topological_order(root);
    for (std::size_t i = 0; i < order.size(); ++i) {
      const std::string label = detail::get_label(order[i]);
      names_[order[i]] = !label.empty() ? label : fmt::format("{}#{}", order[i]->op()->name, i);
    }
  }
  std::vector<TraceStep> steps;

  void before(Node& n) override {
    inputs_.clear();
    detail::for_each_input(n, [&](Node* in) {
      if (std::find(inputs_.begin(), inputs_.end(), in) == inputs_.end()) inputs_.push_back(in);
    });
    upstream_ = view(n).grad_values(n);
    before_.clear();
    for (Node* in : inputs_) before_.push_back(view(*in).grad_values(*in));
    locals_.clear();
    scalar_step_ = upstream_.size() == 1 &&
                   std::all_of(inputs_.begin(), inputs_.end(),
                               [](Node* in) { return count(view(*in).shape(*in)) == 1; });
    if (scalar_step_) probe(n);
  }

  void after(Node& n) override {
    if (upstream_.empty()) return;  // nothing reached this node
    for (std::size_t k = 0; k < inputs_.size(); ++k) {
      Node* in = inputs_[k];
      const std::vector<double> gained = view(*in).grad_values(*in);
      if (gained.empty()) continue;  // takes no gradient
      TraceStep step{names_[&n], n.op()->name, names_[in], 0, 0, 0, !scalar_step_, {}, &n, in};
      if (scalar_step_) {
        step.upstream = upstream_[0];
        step.local = locals_[k];
        step.contribution = step.local * step.upstream;
      } else {
        std::vector<double> diff = gained;
        for (std::size_t i = 0; i < diff.size() && i < before_[k].size(); ++i)
          diff[i] -= before_[k][i];
        step.upstream = norm(upstream_);
        step.local = NAN;
        step.contribution = norm(diff);
        step.shape = view(*in).shape(*in);
      }
      steps.push_back(step);
    }
  }

 private:
  // Runs the op's backward with upstream 1 on cleared inputs: each input's
  // gradient is then d(node)/d(input), both uses added when it is used twice.
  void probe(Node& n) {
    for (Node* in : inputs_) view(*in).set_grad_values(*in, {});
    view(n).set_grad_values(n, {1.0});
    n.op()->backward(n);
    for (Node* in : inputs_) {
      const std::vector<double> local = view(*in).grad_values(*in);
      locals_.push_back(local.empty() ? 0.0 : local[0]);
    }
    for (std::size_t k = 0; k < inputs_.size(); ++k)
      view(*inputs_[k]).set_grad_values(*inputs_[k], before_[k]);
    view(n).set_grad_values(n, upstream_);
  }

  std::unordered_map<const Node*, std::string> names_;
  std::vector<Node*> inputs_;
  std::vector<double> upstream_, locals_;
  std::vector<std::vector<double>> before_;
  bool scalar_step_ = false;
};

}  // namespace

std::vector<TraceStep> trace_backward(const Scalar& root) {
  Tracer tracer(root.node());
  detail::ObserverScope scope(&tracer);
  root.backward();
  return std::move(tracer.steps);
}

std::vector<TraceStep> trace_backward(const Tensor& root) {
  if (root.numel() != 1) {
    detail::fail<GraphError>("trace_backward: the root has shape {}, not one element",
                             root.shape());
  }
  Tracer tracer(root.node());
  detail::ObserverScope scope(&tracer);
  root.backward(Tensor(), /*retain_graph=*/true);
  return std::move(tracer.steps);
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
  return detail::build_diagram(
             root.node(), {},
             [&](const Node& input, const Node& consumer) {
               const auto it = local.find(&consumer);
               if (it == local.end() || !it->second.count(&input) || labelled[&consumer][&input])
                 return std::string();
               labelled[&consumer][&input] = true;
               return fmt::format("×{:.4g}", it->second.at(&input));
             })
      .dot;
}

}  // namespace ag

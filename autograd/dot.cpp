// Graphviz DOT export of a computation graph. Kind-specific text (values,
// op constants) comes from each node's NodeKind, so tensor nodes reuse this.
#include "autograd/dot.hpp"

#include <fmt/format.h>

#include <unordered_map>

namespace ag {
namespace detail {
namespace {

// Record labels treat { } | < > as structure and " \ as escapes.
std::string escape_record(std::string_view text) {
  std::string out;
  for (char ch : text) {
    if (std::string_view("{}|<>\"\\").find(ch) != std::string_view::npos) out += '\\';
    out += ch;
  }
  return out;
}

std::string escape_quoted(std::string_view text) {
  std::string out;
  for (char ch : text) {
    if (ch == '"' || ch == '\\') out += '\\';
    out += ch;
  }
  return out;
}

}  // namespace

std::string graph_to_dot(Node* root, const EdgeNote& note) {
  const std::vector<Node*> order = topological_order(root);
  std::unordered_map<const Node*, std::size_t> id;
  for (std::size_t i = 0; i < order.size(); ++i) id[order[i]] = i;

  std::string out =
      "digraph autograd {\n"
      "  graph [rankdir=LR, fontname=\"Helvetica\"];\n"
      "  node [fontname=\"Helvetica\", fontsize=11];\n";
  for (std::size_t i = 0; i < order.size(); ++i) {
    const Node* node = order[i];
    const bool constant = !node->requires_grad();
    const char* fill = node == root      ? "#d1fae5"   // the output
                       : constant        ? "#f3f4f6"   // data, takes no gradient
                       : node->is_leaf() ? "#dbeafe"   // a parameter
                                         : "#ffffff";  // an intermediate value
    const std::string label = get_label(node);
    const std::string values = node->op->kind->view->describe(*node);
    const std::string fields = label.empty() ? values : escape_record(label) + " | " + values;
    fmt::format_to(std::back_inserter(out),
                   "  v{} [shape=record, style=filled, fillcolor=\"{}\", label=\"{{ {} }}\"];\n", i,
                   fill, fields);
    if (node->is_leaf()) continue;
    fmt::format_to(std::back_inserter(out),
                   "  op{} [shape=ellipse, style=filled, fillcolor=\"#f3f4f6\", label=\"{}\"];\n",
                   i, escape_quoted(node->op->label ? node->op->label(*node) : node->op->symbol));
    for_each_input(*node, [&](const Node* input) {
      std::string edge = note ? note(*input, *node) : std::string();
      const NodeView& view = *input->op->kind->view;
      if (edge.empty() && view.edge_label) edge = view.edge_label(*input);
      if (edge.empty()) {
        fmt::format_to(std::back_inserter(out), "  v{} -> op{};\n", id.at(input), i);
      } else {
        fmt::format_to(std::back_inserter(out), "  v{} -> op{} [label=\"{}\", fontsize=9];\n",
                       id.at(input), i, escape_quoted(edge));
      }
    });
    fmt::format_to(std::back_inserter(out), "  op{} -> v{};\n", i, i);
  }
  out += "}\n";
  return out;
}

}  // namespace detail

std::string to_dot(const Scalar& root) { return detail::graph_to_dot(root.node()); }

std::string to_dot(const Tensor& root) { return detail::graph_to_dot(root.node()); }

void render(const Scalar& root, const std::string& path) { render_dot(to_dot(root), path); }
void render(const Tensor& root, const std::string& path) { render_dot(to_dot(root), path); }

}  // namespace ag

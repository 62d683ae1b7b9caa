// SPDX-License-Identifier: MIT
// Graphviz DOT export of a computation graph. What a value shows comes from
// its kind's NodeView, so scalar and tensor nodes share this code; name
// scopes (one per nn::Module call) become clusters, or boxes when collapsed.
#include "autograd/dot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "autograd/error.hpp"
#include "autograd/scope.hpp"

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

constexpr const char* kOutput = "#d1fae5";     // the root
constexpr const char* kParameter = "#dbeafe";  // a leaf that takes a gradient
constexpr const char* kConstant = "#f3f4f6";   // takes no gradient
constexpr const char* kValue = "#ffffff";      // an intermediate value
constexpr const char* kOp = "#fef9c3";
constexpr const char* kModule = "#ede9fe";  // a collapsed scope

const NodeView& view(const Node& n) { return *n.op()->kind->view; }

[[noreturn]] void throw_freed(const Node& root) {
  const std::string label = get_label(&root);
  fail<GraphError>(
      "to_dot: the graph behind '{}'{} was freed by backward(); draw it before backward(), or "
      "pass retain_graph = true to backward() to draw it after (with its gradients)",
      root.op()->name, label.empty() ? "" : fmt::format(" (labelled '{}')", label));
}

// The scopes of the drawn nodes: interior nodes carry one; a parameter
// belongs to the scope its label's path names ("fc1.weight" → "fc1").
struct Scopes {
  std::map<std::uint32_t, ScopeInfo> info;  // every scope used, and its ancestors
  std::map<std::string, std::uint32_t> by_path;
  std::unordered_map<const Node*, std::uint32_t> of;

  explicit Scopes(const std::vector<Node*>& order) {
    for (const Node* n : order) {
      const std::uint32_t id = view(*n).scope ? view(*n).scope(*n) : 0;
      for (std::uint32_t s = id; s && !info.count(s); s = info[s].parent) {
        info[s] = scope_info(s);
        by_path[info[s].path] = s;
      }
      if (id) of[n] = id;
    }
    for (const Node* n : order) {
      if (!n->is_leaf() || of.count(n)) continue;
      const std::string label = get_label(n);
      const auto dot = label.rfind('.');
      if (dot == std::string::npos) continue;
      if (const auto it = by_path.find(label.substr(0, dot)); it != by_path.end()) {
        of[n] = it->second;
      }
    }
  }
  std::uint32_t scope(const Node* n) const {
    const auto it = of.find(n);
    return it == of.end() ? 0 : it->second;
  }
  // The collapsed scope `n` is folded into, or 0 when it is drawn itself.
  std::uint32_t box(const Node* n, int collapse_depth) const {
    std::uint32_t s = scope(n);
    if (collapse_depth < 0) return 0;
    while (s && info.at(s).depth > collapse_depth + 1) s = info.at(s).parent;
    return s && info.at(s).depth == collapse_depth + 1 ? s : 0;
  }
};

// Top to bottom for graphs deeper than they are wide.
const char* rank_direction(const std::vector<Node*>& order, DotOptions::Direction direction) {
  if (direction == DotOptions::Direction::top_to_bottom) return "TB";
  if (direction == DotOptions::Direction::left_to_right) return "LR";
  std::unordered_map<const Node*, int> level;
  std::map<int, int> per_level;
  int depth = 0;
  for (const Node* n : order) {
    int l = 0;
    for_each_input(*n, [&](const Node* in) { l = std::max(l, level[in] + 1); });
    level[n] = l;
    depth = std::max(depth, l + 1);
    ++per_level[l];
  }
  int width = 0;
  for (const auto& [l, count] : per_level) width = std::max(width, count);
  return depth > width ? "TB" : "LR";
}

std::string fill_of(const Node& n, const Node& root) {
  if (&n == &root) return kOutput;
  if (!n.requires_grad()) return kConstant;
  return n.is_leaf() ? kParameter : kValue;
}

}  // namespace

Diagram build_diagram(Node* root, const DotOptions& options, const EdgeNote& note) {
  const std::vector<Node*> order = topological_order(root);
  for (const Node* n : order) {
    if (n->flags & Node::kReleased) throw_freed(*root);
  }
  const Scopes scopes(order);
  Diagram d;
  std::unordered_map<std::uint32_t, std::string> box_text;  // collapsed scope → its parameters
  std::map<std::uint32_t, std::string> members;             // drawn scope → its statements
  std::string top;                                          // statements outside any scope
  bool collapsed = false;
  auto emit = [&](const Node* n, const std::string& statement) {
    const std::uint32_t s = n == root ? 0 : scopes.scope(n);
    (s ? members[s] : top) += statement;
  };
  for (std::size_t i = 0; i < order.size(); ++i) {
    const Node* n = order[i];
    const std::uint32_t box = scopes.box(n, options.collapse_depth);
    if (box && n != root) {
      collapsed = true;
      d.value_names[n] = d.op_names[n] = fmt::format("s{}", box);
      if (n->is_leaf() && n->requires_grad()) {
        box_text[box] += "|" + escape_record(get_label(n)) + ": " + view(*n).describe(*n);
      } else if (!n->is_leaf()) {
        box_text[box];  // make sure the box exists
      }
      continue;
    }
    d.value_names[n] = fmt::format("v{}", i);
    const std::string label = get_label(n);
    const std::string values = view(*n).describe(*n);
    const std::string fields = label.empty() ? values : escape_record(label) + " | " + values;
    emit(n,
         fmt::format("  v{} [shape=record, style=filled, fillcolor=\"{}\", label=\"{{ {} }}\"];\n",
                     i, fill_of(*n, *root), fields));
    if (n->is_leaf()) continue;
    if (box) {  // the root's op inside a collapsed scope: its box makes the root
      d.op_names[n] = fmt::format("s{}", box);
      box_text[box];
      collapsed = true;
      continue;
    }
    d.op_names[n] = fmt::format("op{}", i);
    const std::string text = n->op()->label ? n->op()->label(*n) : n->op()->symbol;
    emit(n, fmt::format("  op{} [shape=ellipse, style=filled, fillcolor=\"{}\", label=\"{}\"];\n",
                        i, kOp, escape_quoted(text)));
  }
  // Edges: value → the op that reads it (labelled with its role and shape),
  // op → its value; a collapsed scope's inner edges vanish into its box.
  std::set<std::pair<std::string, std::string>> edges_drawn;
  std::string edges;
  for (const Node* n : order) {
    if (n->is_leaf()) continue;
    const std::string& to = d.op_names.at(n);
    int k = 0;
    for_each_input(*n, [&](const Node* input) {
      const std::string& from = d.value_names.at(input);
      std::string text = note ? note(*input, *n) : std::string();
      if (text.empty()) {
        const bool into_box = to[0] == 's';
        if (n->op()->operands && !into_box) text = n->op()->operands[k];
        if (view(*input).edge_label) {
          text += (text.empty() ? "" : " ") + view(*input).edge_label(*input);
        }
      }
      ++k;
      if (from == to || !edges_drawn.insert({from, to + text}).second) return;
      edges += text.empty()
                   ? fmt::format("  {} -> {};\n", from, to)
                   : fmt::format("  {} -> {} [label=\"{}\"];\n", from, to, escape_quoted(text));
    });
    if (d.value_names.at(n) != to) edges += fmt::format("  {} -> {};\n", to, d.value_names.at(n));
  }

  std::string out = fmt::format(
      "digraph autograd {{\n"
      "  graph [rankdir={}, fontname=\"Helvetica\", fontsize=10, nodesep=0.3, ranksep=0.35];\n"
      "  node [fontname=\"Helvetica\", fontsize=11];\n"
      "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#4b5563\"];\n",
      rank_direction(order, options.direction));
  out += top;
  for (const auto& [s, text] : box_text) {
    const ScopeInfo& info = scopes.info.at(s);
    (info.parent ? members[info.parent] : out) += fmt::format(
        "  s{} [shape=record, style=\"filled,rounded\", fillcolor=\"{}\", label=\"{{ {} | {}{} "
        "}}\"];\n",
        s, kModule, escape_record(info.path), escape_record(info.description), text);
  }
  // Clusters nest as the scopes do: children before the parent closes.
  std::map<std::uint32_t, std::vector<std::uint32_t>> children;
  for (const auto& [s, text] : members) {
    for (std::uint32_t c = s; c; c = scopes.info.at(c).parent) {
      auto& siblings = children[scopes.info.at(c).parent];
      if (std::find(siblings.begin(), siblings.end(), c) == siblings.end()) siblings.push_back(c);
    }
  }
  std::vector<std::pair<std::uint32_t, bool>> stack;  // (scope, closing)
  for (auto it = children[0].rbegin(); it != children[0].rend(); ++it)
    stack.push_back({*it, false});
  while (!stack.empty()) {
    const auto [s, closing] = stack.back();
    stack.pop_back();
    if (closing) {
      out += "  }\n";
      continue;
    }
    const ScopeInfo& info = scopes.info.at(s);
    out += fmt::format(
        "  subgraph cluster_{} {{\n  label=\"{}: {}\"; style=\"rounded,dashed\"; "
        "color=\"#8b5cf6\"; "
        "fontcolor=\"#5b21b6\";\n",
        s, escape_quoted(info.path), escape_quoted(info.description));
    out += members[s];
    stack.push_back({s, true});
    const auto& inner = children[s];
    for (auto it = inner.rbegin(); it != inner.rend(); ++it) stack.push_back({*it, false});
  }
  out += edges;
  if (options.legend) {
    out +=
        "  subgraph cluster_legend {\n  label=\"legend\"; style=dashed; color=\"#9ca3af\"; "
        "fontcolor=\"#6b7280\";\n";
    const std::pair<const char*, const char*> entries[] = {
        {kOutput, "output"},
        {kParameter, "parameter (takes a gradient)"},
        {kConstant, "constant (no gradient)"},
        {kValue, "intermediate value"}};
    int k = 0;
    for (const auto& [fill, text] : entries) {
      out += fmt::format(
          "  legend{} [shape=box, style=filled, fillcolor=\"{}\", fontsize=9, label=\"{}\"];\n",
          k++, fill, text);
    }
    out += fmt::format(
        "  legend_op [shape=ellipse, style=filled, fillcolor=\"{}\", fontsize=9, label=\"op\"];\n",
        kOp);
    if (collapsed) {
      out += fmt::format(
          "  legend_module [shape=box, style=\"filled,rounded\", fillcolor=\"{}\", fontsize=9, "
          "label=\"module (collapsed)\"];\n",
          kModule);
    }
    out += "  }\n";
  }
  out += "}\n";
  d.dot = std::move(out);
  return d;
}

}  // namespace detail

std::string to_dot(const Scalar& root, const DotOptions& options) {
  return detail::build_diagram(root.node(), options).dot;
}

std::string to_dot(const Tensor& root, const DotOptions& options) {
  return detail::build_diagram(root.node(), options).dot;
}

void render(const Scalar& root, const std::string& path, const DotOptions& options) {
  render_dot(to_dot(root, options), path);
}
void render(const Tensor& root, const std::string& path, const DotOptions& options) {
  render_dot(to_dot(root, options), path);
}

void retain_grads(const Tensor& root) {
  for (detail::Node* n : detail::topological_order(root.node())) {
    if (!n->is_leaf() && n->requires_grad()) n->flags |= detail::Node::kRetainsGrad;
  }
}

}  // namespace ag

// The graph's building block, shared by every kind of node (scalar,
// tensor). The engine (engine.cpp) sees only what is declared here: a
// node's inputs, its reference count, and the function table of its op. It
// never names an individual op or kind.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ag::detail {

struct Node;

/// What the engine and the diagram export need from a kind of node.
struct NodeKind {
  const char* name;                         ///< "scalar", "tensor"
  void (*clear_grad)(Node&);                ///< grad = 0 (or none)
  void (*destroy)(Node*);                   ///< free the node (in[0], in[1] already released)
  std::string (*describe)(const Node&);     ///< Graphviz record fields, e.g. "data 1|grad 0"
  std::string (*describe_op)(const Node&);  ///< the op as a diagram shows it, e.g. "* 2"
  /// Drops what only backward needed, inputs included, after a backward
  /// without retain_graph; null when the kind keeps its graph (scalars).
  void (*release_graph)(Node&);
  /// Whether the node's gradient is free of NaN and infinity (AnomalyMode).
  bool (*grad_is_finite)(const Node&);
  /// A short description for error messages: "float64 [2, 3]" or "scalar".
  std::string (*describe_short)(const Node&);
  /// A label for edges leaving the node in diagrams (a tensor's shape); null: none.
  std::string (*edge_label)(const Node&);
  /// Whether the node is a constant (takes no gradient); null: never.
  bool (*is_constant)(const Node&);
  /// Inputs beyond in[0] and in[1] (cat, stack); null when there are none.
  std::span<Node* const> (*more_inputs)(const Node&);
};

/// An operation: its name for diagrams and errors, the kind of node it
/// produces, and its vector-Jacobian product. `backward` reads the node's
/// gradient and *adds* its contribution into each input's gradient; it is
/// null for leaves.
struct Op {
  const char* name;    ///< "mul", "sigmoid", "leaf"
  const char* symbol;  ///< what a diagram shows: "*", "exp"; "{:g}" marks the op's constant
  const NodeKind* kind;
  void (*backward)(Node&);
};

/// A graph node. Nodes are reference counted without atomics: a graph belongs
/// to one thread at a time. A node holds a reference to each of its inputs and
/// none to its consumers, so graphs never form cycles.
struct Node {
  static constexpr std::uint16_t kVisited = 1u << 0;   // set only during a traversal
  static constexpr std::uint16_t kLabelled = 1u << 1;  // has an entry in the label table
  static constexpr std::uint16_t kReleased = 1u << 2;  // graph behind it freed by backward

  std::uint32_t refs = 1;
  std::uint16_t flags = 0;
  std::uint16_t slot = 0;  ///< the allocator's: index in its chunk (node_pool.hpp)
  const Op* op;
  Node* in[2] = {nullptr, nullptr};

  bool is_leaf() const { return op->backward == nullptr; }
};

/// Frees `node` and every input no other node or handle still refers to,
/// iteratively: a chain of any length is freed without recursion.
void destroy_unreferenced(Node* node) noexcept;

inline void retain(Node* node) noexcept { ++node->refs; }
inline void release(Node* node) noexcept {
  if (--node->refs == 0) destroy_unreferenced(node);
}

/// Every node reachable from `root`, inputs before the nodes that consume
/// them (post-order of an iterative depth-first search; `root` comes last).
std::vector<Node*> topological_order(Node* root);

/// How backward() sets the root's gradient: `fn(root, arg)`.
struct Seed {
  void (*fn)(Node& root, const void* arg);
  const void* arg = nullptr;
};

/// Reverse-mode sweep from `root`: gradients of interior nodes are reset,
/// the root's gradient is seeded, and each op's backward runs in reverse
/// topological order. Leaf gradients accumulate across calls. Without
/// `retain_graph`, nodes whose kind can release their graph do so after the
/// sweep. With `create_graph`, ops' backward passes run with gradient
/// recording on, so gradients are themselves differentiable.
void backward(Node* root, Seed seed, bool retain_graph = true, bool create_graph = false);

/// Calls f(input) for every input of `node`, in order.
template <class F>
void for_each_input(const Node& node, F&& f) {
  for (Node* input : node.in) {
    if (input) f(input);
  }
  if (node.op->kind->more_inputs) {
    for (Node* input : node.op->kind->more_inputs(node)) f(input);
  }
}

/// Sets the gradient of every node reachable from `root` to zero.
void zero_grad(Node* root);

/// Labels live in a side table so that unlabelled nodes (nearly all) pay
/// nothing for them.
void set_label(Node* node, std::string label);
std::string get_label(const Node* node);

}  // namespace ag::detail

// SPDX-License-Identifier: MIT
// The graph's building block, shared by every kind of node (scalar,
// tensor). The engine (engine.cpp, sweep.cpp) sees only what is declared here: a
// node's inputs, its reference count, its flags, and the function tables of
// its op and its kind. It never names an individual op or kind.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "autograd/shape.hpp"

namespace ag::detail {

struct Node;

/// How a kind of node shows itself in diagrams, traces and error messages.
/// Nothing in the engine calls these.
struct NodeView {
  std::string (*describe)(const Node&);        ///< Graphviz record fields: "data 1|grad 0"
  std::string (*describe_short)(const Node&);  ///< for messages: "float64 [2, 3]", "scalar 0.5"
  std::string (*edge_label)(const Node&);      ///< on edges leaving the node (a shape); null: none
  Shape (*shape)(const Node&);                 ///< {} for a scalar
  /// The gradient's elements (empty when there is none); with set_grad_values,
  /// what a trace needs to probe an op's local derivatives.
  std::vector<double> (*grad_values)(const Node&);
  void (*set_grad_values)(Node&, const std::vector<double>&);  ///< empty: no gradient
  /// The name scope the node was recorded in (scope.hpp); null: none.
  std::uint32_t (*scope)(const Node&);
};

/// What the engine needs from a kind of node.
struct NodeKind {
  const char* name;           ///< "scalar", "tensor"
  void (*clear_grad)(Node&);  ///< grad = 0 (or none)
  void (*destroy)(Node*);     ///< free the node (in[0], in[1] already released)
  /// Drops what only backward needed, inputs included, after a backward
  /// without retain_graph; null when the kind keeps its graph (scalars).
  void (*release_graph)(Node&);
  /// Inputs beyond in[0] and in[1] (cat, stack, custom ops); null when there are none.
  std::span<Node* const> (*more_inputs)(const Node&);
  bool (*grad_is_finite)(const Node&);   ///< AnomalyMode: no NaN or infinity in the gradient
  bool (*value_is_finite)(const Node&);  ///< AnomalyMode: no NaN or infinity in the value
  /// How many times the node's value was written in place (Tensor::assign);
  /// null when the kind's values never change after they are made.
  std::uint32_t (*version)(const Node&);
  const NodeView* view;
};

/// What an op's backward reads besides its gradient, so that backward can
/// refuse values modified in place after the op used them (version counters).
enum Saves : std::uint8_t { kSavesNothing = 0, kSavesInputs = 1, kSavesOutput = 2 };

/// An operation: its name for diagrams and errors, the kind of node it
/// produces, and its vector-Jacobian product. `backward` reads the node's
/// gradient and *adds* its contribution into each input's gradient; it is
/// null for leaves.
struct Op {
  const char* name;    ///< "mul", "sigmoid", "leaf"
  const char* symbol;  ///< what a diagram shows: "*", "exp"
  const NodeKind* kind;
  void (*backward)(Node&);
  /// The diagram's text when it depends on the node (a constant: "* 2");
  /// null: `symbol`.
  std::string (*label)(const Node&) = nullptr;
  /// Which operand is which, for ops where order matters ("a - b"): the
  /// diagram marks edge k with operands[k]; null for commutative ops.
  const char* const* operands = nullptr;
  /// Whose values the backward reads (Saves bits): checked against in-place writes.
  std::uint8_t saves = kSavesInputs;
  /// The op's number in the op table (node.hpp's op_index), given on first use.
  mutable std::atomic<std::uint16_t> index{0};
};

/// Nodes name their op by a 16-bit number rather than an 8-byte pointer
/// (a scalar node is 40 bytes, not 48): the table of every op used so far.
/// Entry 0 is unused.
extern const Op* op_table[1 << 16];

/// Adds `op` to the table; throws GraphError past 65,535 ops. Internal.
std::uint16_t register_op(const Op* op);

/// The number a node records for `op`.
inline std::uint16_t op_index(const Op* op) {
  const std::uint16_t index = op->index.load(std::memory_order_acquire);
  return index ? index : register_op(op);
}

/// A graph node. Nodes are reference counted without atomics: a graph belongs
/// to one thread at a time. A node holds a reference to each of its inputs and
/// none to its consumers, so graphs never form cycles.
struct Node {
  static constexpr std::uint16_t kVisited = 1u << 0;       // set only during a traversal
  static constexpr std::uint16_t kLabelled = 1u << 1;      // has an entry in the label table
  static constexpr std::uint16_t kReleased = 1u << 2;      // graph behind it freed by backward
  static constexpr std::uint16_t kRequiresGrad = 1u << 3;  // gradients flow into it
  static constexpr std::uint16_t kRetainsGrad = 1u << 4;   // keeps an interior gradient
  // in[1] holds the op's 8-byte attribute, not an input (ScalarNode::constant).
  static constexpr std::uint16_t kAttributeInSecondSlot = 1u << 5;
  // The node stores no value: it is in[0]'s plus the attribute (ScalarNode::value).
  static constexpr std::uint16_t kValueFromInput = 1u << 6;
  static constexpr std::uint16_t kHooked = 1u << 7;  // has an entry in the hook table
  // The bits above these count, during a backward sweep only, the node's
  // consumers that have not run yet (sweep.cpp); zero at any other time.
  static constexpr int kPendingShift = 8;

  std::uint32_t refs = 1;
  std::uint16_t flags = 0;
  std::uint16_t op_number = 0;  ///< index in op_table
  Node* in[2] = {nullptr, nullptr};

  const Op* op() const { return op_table[op_number]; }
  void set_op(const Op* op) { op_number = op_index(op); }
  /// How many of in[0], in[1] are input slots (null or not).
  int fixed_inputs() const { return flags & kAttributeInSecondSlot ? 1 : 2; }
  bool is_leaf() const { return op()->backward == nullptr; }
  bool requires_grad() const { return flags & kRequiresGrad; }
  void set_requires_grad(bool on) { flags = on ? flags | kRequiresGrad : flags & ~kRequiresGrad; }
};

/// Input k of `node`: in[0], in[1], then the kind's more_inputs.
inline Node* input_of(const Node& node, int k) {
  if (k < 2) return k < node.fixed_inputs() ? node.in[k] : nullptr;
  return node.op()->kind->more_inputs(node)[k - 2];
}

/// Calls f(input) for every input of `node` (whose kind is `kind`), in order.
template <class F>
void for_each_input(const Node& node, const NodeKind& kind, F&& f) {
  for (int k = 0; k < node.fixed_inputs(); ++k) {
    if (node.in[k]) f(node.in[k]);
  }
  if (kind.more_inputs) {
    for (Node* input : kind.more_inputs(node)) f(input);
  }
}
template <class F>
void for_each_input(const Node& node, F&& f) {
  for_each_input(node, *node.op()->kind, f);
}

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

/// How backward() sets the root's gradient: `fn(root, gradient)`, where
/// `gradient` is the caller's grad_output node, or null for "one".
struct Seed {
  void (*fn)(Node& root, const Node* gradient);
  const Node* gradient = nullptr;
};

/// Watches a backward sweep node by node (the backward trace, gradient
/// averaging across processes). `before` and `after` bracket each op's
/// backward; `leaf_ready` says a leaf's gradient is final for this sweep:
/// every node that feeds it has run. Installed per thread by ObserverScope.
class BackwardObserver {
 public:
  virtual ~BackwardObserver() = default;
  virtual void before(Node&) {}
  virtual void after(Node&) {}
  virtual void leaf_ready(Node&) {}
};

/// Installs `observer` for backward sweeps on this thread within its scope.
class ObserverScope {
 public:
  explicit ObserverScope(BackwardObserver* observer);
  ~ObserverScope();
  ObserverScope(const ObserverScope&) = delete;
  ObserverScope& operator=(const ObserverScope&) = delete;

 private:
  BackwardObserver* previous_;
};

/// Reverse-mode sweep from `root`: gradients of interior nodes are reset,
/// the root's gradient is seeded, and each op's backward runs in reverse
/// topological order. Leaf gradients accumulate across calls. Without
/// `retain_graph`, nodes whose kind can release their graph do so after the
/// sweep. With `create_graph`, ops' backward passes run with gradient
/// recording on, so gradients are themselves differentiable.
void backward(Node* root, Seed seed, bool retain_graph = true, bool create_graph = false);

/// Sets the gradient of every node reachable from `root` to zero.
void zero_grad(Node* root);

/// Where a backward sweep is for a node with hooks (Node::kHooked).
enum class HookPoint : std::uint8_t {
  sweep_starts,    ///< the sweep reached the node, before the root is seeded
  gradient_ready,  ///< its gradient is complete: an interior node's before its op's
                   ///< backward runs, a leaf's after its last consumer's
  sweep_failed,    ///< the sweep threw before the node's gradient was ready
};

/// What a kind attaches to a node it hooks (tensors: ops/hooks.cpp). The
/// engine calls run() at each HookPoint of every sweep that reaches the
/// node, and never looks inside: hooks are the kind's business.
class NodeHooks {
 public:
  virtual ~NodeHooks() = default;
  virtual void run(Node& node, HookPoint point) = 0;
  /// No hook left and nothing held for a sweep: the entry may go.
  virtual bool idle() const = 0;
};

/// The hook table (node_hooks.cpp), a side table like the labels': a node
/// without hooks pays one flag test per sweep. Setting hooks flags the
/// node; a node's entry goes when the node does.
void set_hooks(Node* node, std::unique_ptr<NodeHooks> hooks);
/// The node's hooks, or null.
NodeHooks* hooks_of(const Node* node);
/// Removes the node's entry and its flag.
void forget_hooks(Node* node);
/// Runs the node's hooks at `point` (a flagged node); drops its entry
/// after, when idle.
void run_hooks(Node& node, HookPoint point);

/// Labels live in a side table (labels.cpp) so that unlabelled nodes (nearly
/// all) pay nothing for them.
void set_label(Node* node, std::string label);
std::string get_label(const Node* node);
void forget_label(const Node* node);

}  // namespace ag::detail

// SPDX-License-Identifier: MIT
// The backward sweep: consumers counted, then each node run after its last
// consumer (Kahn's order), or, with an observer installed, in the reverse
// of the depth-first order; and zero_grad. Knows nodes only through node.hpp.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "autograd/anomaly.hpp"
#include "autograd/error.hpp"
#include "autograd/grad_mode.hpp"
#include "autograd/graph_walk.hpp"

namespace ag::detail {

namespace {

constinit thread_local BackwardObserver* observer = nullptr;

// Buffers reused by backward() on this thread: allocating them per call
// would dominate small graphs. Large ones are let go after use.
struct Scratch {
  NodeList order, stack;
  std::unordered_map<Node*, std::uint32_t> many_consumers;  // PendingCounts' overflow
  bool busy = false;
};
thread_local Scratch scratch;
constexpr std::size_t kScratchKeep = 1 << 16;

// AnomalyMode: after `node`'s backward, every input's gradient must be finite.
void check_backward(const Node& node) {
  int k = 0;
  for_each_input(node, [&](const Node* input) {
    if (!input->op()->kind->grad_is_finite(*input)) {
      const std::string label = get_label(&node);
      fail<AnomalyError>(
          "anomaly: the backward of '{}'{} produced NaN or infinity in the gradient of input {} "
          "({})",
          node.op()->name, label.empty() ? "" : fmt::format(" (labelled '{}')", label), k,
          input->op()->kind->view->describe_short(*input));
    }
    ++k;
  });
}

[[noreturn]] void throw_released(const Node& node) {
  fail<GraphError>(
      "backward: the graph through '{}' was already freed by an earlier backward(); pass "
      "retain_graph = true to the first one to backward through it again",
      node.op()->name);
}

void run_op_backward(Node& node) {
  if (anomaly_enabled) [[unlikely]] {
    anomaly_backward_of = node.op()->name;
    node.op()->backward(node);
    anomaly_backward_of = nullptr;
    check_backward(node);
  } else {
    node.op()->backward(node);
  }
}

// The sweep with an observer: each leaf is reported ready after the last of
// its consumers (the one nearest the leaves) has run.
void observed_sweep(NodeList& order, BackwardObserver& watch) {
  std::unordered_map<Node*, std::size_t> last_consumer;
  for (std::size_t i = 0; i < order.size(); ++i) {
    for_each_input(*order[i], [&](Node* input) {
      if (input->is_leaf()) last_consumer.try_emplace(input, i);
    });
  }
  std::vector<std::vector<Node*>> ready(order.size());
  for (const auto& [leaf, i] : last_consumer) ready[i].push_back(leaf);
  const auto leaf_ready = [&](Node& leaf) {
    if (leaf.flags & Node::kHooked) [[unlikely]]
      run_hooks(leaf, HookPoint::gradient_ready);
    watch.leaf_ready(leaf);
  };
  if (order[order.size() - 1]->is_leaf()) leaf_ready(*order[order.size() - 1]);
  for (std::size_t i = order.size(); i-- > 0;) {
    Node* node = order[i];
    node->flags &= ~Node::kVisited;
    if (node->is_leaf()) continue;
    if (node->flags & Node::kHooked) [[unlikely]]
      run_hooks(*node, HookPoint::gradient_ready);
    watch.before(*node);
    run_op_backward(*node);
    watch.after(*node);
    for (Node* leaf : ready[i]) leaf_ready(*leaf);
  }
}

// After a sweep without retain_graph. Forward order: a node is released
// only by its consumers, which come later, so each is alive when visited.
void release_graph(NodeList& order) {
  for (Node* node : order) {
    if (!node->is_leaf() && node->op()->kind->release_graph) {
      node->op()->kind->release_graph(*node);
      node->flags |= Node::kReleased;
    }
  }
}

// A node's consumers that have not run yet, kept in the bits of its flags
// above kPendingShift (8 bits); a node with more consumers than that keeps
// its count in a map instead (the field then reads all ones).
class PendingCounts {
 public:
  explicit PendingCounts(std::unordered_map<Node*, std::uint32_t>& overflow)
      : overflow_(overflow) {}
  void add(Node& node) {
    if ((node.flags >> Node::kPendingShift) < kInMap - 1) [[likely]]
      node.flags += kOne;
    else
      add_many(node);
  }
  /// One consumer ran; true when it was the last.
  bool ran_one(Node& node) {
    if ((node.flags >> Node::kPendingShift) != kInMap) [[likely]] {
      node.flags -= kOne;
      return (node.flags >> Node::kPendingShift) == 0;
    }
    return ran_one_of_many(node);
  }
  /// Drops the node's count (its flags keep the rest).
  static void forget(Node& node) { node.flags &= kOne - 1; }

 private:
  static constexpr std::uint16_t kOne = 1u << Node::kPendingShift;
  static constexpr unsigned kInMap = 0xffffu >> Node::kPendingShift;
  [[gnu::noinline]] void add_many(Node& node) {
    if ((node.flags >> Node::kPendingShift) == kInMap) {
      ++overflow_[&node];
    } else {  // the field's last count: from now on, the map's
      node.flags |= kInMap << Node::kPendingShift;
      overflow_[&node] = kInMap;
    }
  }
  [[gnu::noinline]] bool ran_one_of_many(Node& node) {
    const auto it = overflow_.find(&node);
    if (--it->second > 0) return false;
    overflow_.erase(it);
    forget(node);
    return true;
  }
  std::unordered_map<Node*, std::uint32_t>& overflow_;
};

// The sweep without an observer (Kahn's order): a node runs once its last
// consumer has, so no list of the whole graph is kept; a 2M-node chain
// needed two of 16 MB. With `releasable`, nodes whose kind releases its
// graph are listed there in the order they ran.
void counted_sweep(Node* root, NodeList& stack, PendingCounts& pending, NodeList* releasable) {
  Frontier ready(stack);
  for (Node* node = root; node; node = ready.pop()) {
    node->flags &= ~Node::kVisited;
    const Op& op = *node->op();
    // Every consumer has run: the gradient is complete (a leaf's is final).
    if (node->flags & Node::kHooked) [[unlikely]]
      run_hooks(*node, HookPoint::gradient_ready);
    if (op.backward) {
      run_op_backward(*node);
      if (releasable && op.kind->release_graph) releasable->push_back(node);
    }
    for_each_input(*node, *op.kind, [&](Node* input) {
      if (pending.ran_one(*input)) ready.push(input);
    });
  }
}

// After a counted sweep failed: clears the marks and counts it left on
// whatever it reached (nodes that ran are unmarked, so the marked ones are
// no longer connected to the root; a set keeps this walk linear).
void unmark_counted(Node* root, std::unordered_map<Node*, std::uint32_t>& overflow) {
  std::unordered_set<Node*> seen{root};
  std::vector<Node*> stack{root};
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    PendingCounts::forget(*node);
    node->flags &= ~Node::kVisited;
    if (node->flags & Node::kHooked) [[unlikely]]
      run_hooks(*node, HookPoint::sweep_failed);
    for_each_input(*node, [&](Node* input) {
      if (seen.insert(input).second) stack.push_back(input);
    });
  }
  overflow.clear();
}

}  // namespace

ObserverScope::ObserverScope(BackwardObserver* watch) : previous_(observer) { observer = watch; }
ObserverScope::~ObserverScope() { observer = previous_; }

void backward(Node* root, Seed seed, bool retain_graph, bool create_graph) {
  Scratch own;  // used only if a backward runs inside another one
  Scratch& s = scratch.busy ? own : scratch;
  s.busy = true;
  GradModeGuard mode(create_graph);
  // Interior gradients belong to one sweep; leaf gradients accumulate, as
  // in PyTorch. So a second backward() adds the same amount to the leaves.
  const auto reset = [](Node& node, const Op& op) {
    if (node.flags & Node::kHooked) [[unlikely]]
      run_hooks(node, HookPoint::sweep_starts);
    if (!op.backward) return;  // a leaf
    if (node.flags & Node::kReleased) throw_released(node);
    op.kind->clear_grad(node);
  };
  PendingCounts pending(s.many_consumers);
  BackwardObserver* const watch = observer;  // an op's backward may install another
  try {
    if (watch) [[unlikely]] {
      collect(root, s.order, s.stack, [&](Node& node) { reset(node, *node.op()); });
      seed.fn(*root, seed.gradient);
      observed_sweep(s.order, *watch);
    } else {
      walk(root, s.stack, true, reset, [&](Node& input) { pending.add(input); });
      seed.fn(*root, seed.gradient);
      counted_sweep(root, s.stack, pending, retain_graph ? nullptr : &s.order);
      std::reverse(s.order.begin(), s.order.end());  // consumers after their inputs
    }
  } catch (...) {
    anomaly_backward_of = nullptr;
    if (watch)
      unmark(s.order, s.stack, [](Node& node) {
        if (node.flags & Node::kHooked) [[unlikely]]
          run_hooks(node, HookPoint::sweep_failed);
      });
    else
      unmark_counted(root, s.many_consumers);
    s.order.clear();
    s.stack.clear();
    s.busy = false;
    throw;
  }
  if (!retain_graph) release_graph(s.order);
  if (s.order.capacity() > kScratchKeep) s.order.release();
  if (s.stack.capacity() > kScratchKeep) s.stack.release();
  s.order.clear();
  s.busy = false;
}

void zero_grad(Node* root) {
  NodeList stack;  // allocates only where the graph branches
  const auto clear = [](Node& node, const Op& op) { op.kind->clear_grad(node); };
  const auto nothing = [](auto&&...) {};
  walk(root, stack, true, clear, nothing);
  walk(root, stack, false, nothing, nothing);  // takes the marks off again
}

}  // namespace ag::detail

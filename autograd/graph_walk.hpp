// SPDX-License-Identifier: MIT
// The engine's walks over a graph, without recursion: collect (depth-first
// post-order, for the topological order and observed sweeps) and walk
// (each node once, marking or unmarking it). Internal.
#pragma once

#include <cstdint>
#include <utility>

#include "autograd/node.hpp"
#include "autograd/node_list.hpp"

namespace ag::detail {

// Depth-first post-order without recursion. A stack entry whose low bit is
// set has had its inputs pushed already; popping it emits the node. A node
// may sit on the stack twice (reached from two consumers) but is expanded
// once. `on_first_visit` runs once per node, before any of its consumers is
// emitted, and may throw. Every node reached is left marked kVisited and
// is in `order` or on `stack`.
template <class List, class OnFirstVisit>
void collect(Node* root, List& order, List& stack, OnFirstVisit&& on_first_visit) {
  constexpr std::uintptr_t kExpanded = 1;
  stack.push_back(root);
  while (!stack.empty()) {
    const auto bits = reinterpret_cast<std::uintptr_t>(stack.back());
    if (bits & kExpanded) {
      stack.pop_back();
      order.push_back(reinterpret_cast<Node*>(bits & ~kExpanded));
      continue;
    }
    Node* node = stack.back();
    if (node->flags & Node::kVisited) {
      stack.pop_back();
      continue;
    }
    node->flags |= Node::kVisited;
    stack.back() = reinterpret_cast<Node*>(bits | kExpanded);
    on_first_visit(*node);
    // Pushed in reverse so that in[0] is explored first: stable diagram ids.
    if (node->op()->kind->more_inputs) {
      const auto more = node->op()->kind->more_inputs(*node);
      for (auto it = more.rbegin(); it != more.rend(); ++it) {
        if (!((*it)->flags & Node::kVisited)) stack.push_back(*it);
      }
    }
    for (int k = node->fixed_inputs() - 1; k >= 0; --k) {
      Node* input = node->in[k];
      if (input && !(input->flags & Node::kVisited)) stack.push_back(input);
    }
  }
}

// Clears kVisited on everything a (possibly interrupted) collect reached.
// `each` sees every such node (some twice).
template <class Each>
void unmark(NodeList& order, NodeList& stack, Each&& each) {
  for (Node* node : order) {
    node->flags &= ~Node::kVisited;
    each(*node);
  }
  for (Node* entry : stack) {
    auto* node =
        reinterpret_cast<Node*>(reinterpret_cast<std::uintptr_t>(entry) & ~std::uintptr_t{1});
    node->flags &= ~Node::kVisited;
    each(*node);
  }
  order.clear();
  stack.clear();
}

// Nodes waiting for a visit, latest first. The latest is kept apart from
// the stack, so a chain (one node waiting at a time) never touches it.
class Frontier {
 public:
  explicit Frontier(NodeList& stack) : stack_(stack) {}
  void push(Node* node) {
    if (next_) stack_.push_back(next_);
    next_ = node;
  }
  /// The latest node pushed and not yet taken; null when none is left.
  Node* pop() {
    if (Node* node = std::exchange(next_, nullptr)) return node;
    if (stack_.empty()) return nullptr;
    Node* node = stack_.back();
    stack_.pop_back();
    return node;
  }

 private:
  NodeList& stack_;
  Node* next_ = nullptr;
};

// Visits every node reachable from `root` once, calling on_node(node, op)
// for each (it may throw) and on_edge(input) for each input slot of each.
// `marking` walks the unmarked nodes and marks them kVisited; otherwise the
// marked ones, unmarking them.
template <class OnNode, class OnEdge>
void walk(Node* root, NodeList& stack, bool marking, OnNode&& on_node, OnEdge&& on_edge) {
  const auto pending_visit = [marking](const Node& node) {
    return bool(node.flags & Node::kVisited) != marking;
  };
  Frontier waiting(stack);
  root->flags ^= Node::kVisited;
  for (Node* node = root; node; node = waiting.pop()) {
    const Op& op = *node->op();
    on_node(*node, op);
    for_each_input(*node, *op.kind, [&](Node* input) {
      on_edge(*input);
      if (!pending_visit(*input)) return;
      input->flags ^= Node::kVisited;
      waiting.push(input);
    });
  }
}

}  // namespace ag::detail

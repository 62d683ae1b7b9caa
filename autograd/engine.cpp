// The engine: graph traversal, the backward sweep, teardown and labels. It
// knows nodes only through node.hpp; ops and kinds supply the rest.
#include <mutex>
#include <unordered_map>
#include <utility>

#include "autograd/node.hpp"

namespace ag::detail {
namespace {

std::mutex label_mutex;
std::unordered_map<const Node*, std::string>& label_table() {
  static auto* table =
      new std::unordered_map<const Node*, std::string>();  // outlives static handles
  return *table;
}

void forget_label(const Node* node) {
  std::lock_guard lock(label_mutex);
  label_table().erase(node);
}

}  // namespace

void destroy_unreferenced(Node* node) noexcept {
  // A node's destructor may release other handles (a tensor node holding a
  // saved tensor, say) and so re-enter here: the outer call drains them.
  thread_local std::vector<Node*> pending;
  thread_local bool draining = false;
  pending.push_back(node);
  if (draining) return;
  draining = true;
  while (!pending.empty()) {
    Node* dead = pending.back();
    pending.pop_back();
    for (Node* input : dead->in) {
      if (input && --input->refs == 0) pending.push_back(input);
    }
    if (dead->flags & Node::kLabelled) forget_label(dead);
    dead->op->kind->destroy(dead);
  }
  draining = false;
}

std::vector<Node*> topological_order(Node* root) {
  struct Frame {
    Node* node;
    int next_input;
  };
  std::vector<Node*> order;
  std::vector<Frame> stack;
  root->flags |= Node::kVisited;
  stack.push_back({root, 0});
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.next_input < 2) {
      Node* input = top.node->in[top.next_input++];
      if (input && !(input->flags & Node::kVisited)) {
        input->flags |= Node::kVisited;
        stack.push_back({input, 0});
      }
    } else {
      order.push_back(top.node);
      stack.pop_back();
    }
  }
  for (Node* node : order) node->flags &= ~Node::kVisited;
  return order;
}

void backward(Node* root) {
  const std::vector<Node*> order = topological_order(root);
  // Interior gradients belong to one sweep; leaf gradients accumulate, as in
  // PyTorch. So a second backward() adds the same amount to the leaves again.
  for (Node* node : order) {
    if (!node->is_leaf()) node->op->kind->clear_grad(*node);
  }
  root->op->kind->seed_grad(*root);
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node* node = *it;
    if (!node->is_leaf()) node->op->backward(*node);
  }
}

void zero_grad(Node* root) {
  for (Node* node : topological_order(root)) node->op->kind->clear_grad(*node);
}

void set_label(Node* node, std::string label) {
  std::lock_guard lock(label_mutex);
  label_table()[node] = std::move(label);
  node->flags |= Node::kLabelled;
}

std::string get_label(const Node* node) {
  if (!(node->flags & Node::kLabelled)) return {};
  std::lock_guard lock(label_mutex);
  return label_table().at(node);
}

}  // namespace ag::detail

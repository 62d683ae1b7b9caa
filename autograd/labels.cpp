// SPDX-License-Identifier: MIT
// Node labels, in a side table: nearly every node has none and pays nothing
// but a flag bit for it.
#include <mutex>
#include <unordered_map>

#include "autograd/node.hpp"

namespace ag::detail {
namespace {

std::mutex label_mutex;
std::unordered_map<const Node*, std::string>& label_table() {
  static auto* table =
      new std::unordered_map<const Node*, std::string>();  // outlives static handles
  return *table;
}

}  // namespace

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

void forget_label(const Node* node) {
  std::lock_guard lock(label_mutex);
  label_table().erase(node);
}

}  // namespace ag::detail

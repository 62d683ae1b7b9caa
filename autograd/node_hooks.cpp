// SPDX-License-Identifier: MIT
// The hook table: what a kind attached to a node (tensor hooks, ops/hooks.cpp),
// in a side table, so that a node without hooks pays one flag bit for them.
#include <mutex>
#include <unordered_map>

#include "autograd/node.hpp"

namespace ag::detail {
namespace {

std::mutex hook_mutex;
std::unordered_map<const Node*, std::unique_ptr<NodeHooks>>& hook_table() {
  static auto* table =  // outlives static handles
      new std::unordered_map<const Node*, std::unique_ptr<NodeHooks>>();
  return *table;
}

}  // namespace

void set_hooks(Node* node, std::unique_ptr<NodeHooks> hooks) {
  std::lock_guard lock(hook_mutex);
  hook_table()[node] = std::move(hooks);
  node->flags |= Node::kHooked;
}

NodeHooks* hooks_of(const Node* node) {
  if (!(node->flags & Node::kHooked)) return nullptr;
  std::lock_guard lock(hook_mutex);
  const auto found = hook_table().find(node);
  return found == hook_table().end() ? nullptr : found->second.get();
}

void forget_hooks(Node* node) {
  std::unique_ptr<NodeHooks> gone;  // destroyed outside the lock: it may free tensors
  {
    std::lock_guard lock(hook_mutex);
    const auto found = hook_table().find(node);
    if (found != hook_table().end()) {
      gone = std::move(found->second);
      hook_table().erase(found);
    }
  }
  node->flags &= ~Node::kHooked;
}

void run_hooks(Node& node, HookPoint point) {
  // Only this node's own calls erase its entry (here and in its kind's
  // remove, never while a run is under way), so the pointer stays valid
  // after the lock: hooks run unlocked, and may register or remove hooks.
  NodeHooks* hooks = hooks_of(&node);
  if (!hooks) return;
  hooks->run(node, point);
  if (hooks->idle()) forget_hooks(&node);
}

}  // namespace ag::detail

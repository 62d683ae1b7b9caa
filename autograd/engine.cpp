// SPDX-License-Identifier: MIT
// The engine's bookkeeping: the op table, the topological order, teardown
// (freeing nodes). The backward sweep is in sweep.cpp. It knows nodes only
// through node.hpp; ops and kinds supply the rest.
#include <iterator>
#include <mutex>

#include "autograd/anomaly.hpp"
#include "autograd/error.hpp"
#include "autograd/grad_mode.hpp"
#include "autograd/graph_walk.hpp"

namespace ag::detail {

constinit thread_local bool grad_enabled = true;
constinit thread_local bool anomaly_enabled = false;
constinit thread_local std::uint64_t anomaly_ops = 0;
constinit thread_local const char* anomaly_backward_of = nullptr;

// ---- ops -------------------------------------------------------------------

constinit const Op* op_table[1 << 16] = {};

std::uint16_t register_op(const Op* op) {
  static std::mutex mutex;
  static std::uint32_t used = 0;
  std::lock_guard lock(mutex);
  if (const std::uint16_t index = op->index.load(std::memory_order_relaxed)) return index;
  if (used + 1 == std::size(op_table))
    fail<GraphError>("op '{}': more than {} distinct ops in one program", op->name, used);
  op_table[++used] = op;
  op->index.store(static_cast<std::uint16_t>(used), std::memory_order_release);
  return static_cast<std::uint16_t>(used);
}

// ---- sort ------------------------------------------------------------------

std::vector<Node*> topological_order(Node* root) {
  std::vector<Node*> order, stack;
  collect(root, order, stack, [](Node&) {});
  for (Node* node : order) node->flags &= ~Node::kVisited;
  return order;
}

// ---- teardown --------------------------------------------------------------

namespace {

// Frees everything reachable from `pending` that no one else refers to.
void drain(std::vector<Node*>& pending) {
  while (!pending.empty()) {
    Node* dead = pending.back();
    pending.pop_back();
    for (int k = 0; k < dead->fixed_inputs(); ++k) {
      Node* input = dead->in[k];
      if (input && --input->refs == 0) pending.push_back(input);
    }
    dead->in[0] = dead->in[1] = nullptr;
    if (dead->flags & Node::kLabelled) forget_label(dead);
    if (dead->flags & Node::kHooked) forget_hooks(dead);
    dead->op()->kind->destroy(dead);
  }
}

// The worklist of this thread, reused across calls. After the thread's
// locals are destroyed (handles in static objects die at exit, after them),
// `worklist_gone` says so and a local list is used instead.
constinit thread_local bool worklist_gone = false;
struct Worklist {
  std::vector<Node*> nodes;
  bool draining = false;
  ~Worklist() { worklist_gone = true; }
};
thread_local Worklist worklist;

}  // namespace

void destroy_unreferenced(Node* node) noexcept {
  if (worklist_gone) [[unlikely]] {
    std::vector<Node*> local{node};
    drain(local);
    return;
  }
  // A node's destructor may release other handles (a tensor node holding a
  // saved tensor, say) and so re-enter here: the outer call drains them.
  Worklist& w = worklist;
  w.nodes.push_back(node);
  if (w.draining) return;
  w.draining = true;
  drain(w.nodes);
  w.draining = false;
}

}  // namespace ag::detail

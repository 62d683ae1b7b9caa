// The engine: graph traversal, the backward sweep, teardown and labels. It
// knows nodes only through node.hpp; ops and kinds supply the rest.
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <utility>

#include "autograd/anomaly.hpp"
#include "autograd/error.hpp"
#include "autograd/grad_mode.hpp"
#include "autograd/node.hpp"

namespace ag::detail {

constinit thread_local bool grad_enabled = true;
constinit thread_local bool anomaly_enabled = false;
constinit thread_local std::uint64_t anomaly_ops = 0;
constinit thread_local const char* anomaly_backward_of = nullptr;

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

namespace {

// Frees everything reachable from `pending` that no one else refers to.
void drain(std::vector<Node*>& pending) {
  while (!pending.empty()) {
    Node* dead = pending.back();
    pending.pop_back();
    for (Node*& input : dead->in) {
      if (input && --input->refs == 0) pending.push_back(input);
      input = nullptr;
    }
    if (dead->flags & Node::kLabelled) forget_label(dead);
    dead->op->kind->destroy(dead);
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

namespace {

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
    if (node->op->kind->more_inputs) {
      const auto more = node->op->kind->more_inputs(*node);
      for (auto it = more.rbegin(); it != more.rend(); ++it) {
        if (!((*it)->flags & Node::kVisited)) stack.push_back(*it);
      }
    }
    for (int k = 1; k >= 0; --k) {
      Node* input = node->in[k];
      if (input && !(input->flags & Node::kVisited)) stack.push_back(input);
    }
  }
}

// A growable array of node pointers on malloc/realloc. Past glibc's mmap
// threshold realloc moves the pages (mremap) instead of copying them and
// faulting in a fresh buffer, which std::vector's growth did: a 2M-node
// backward spent a tenth of its time there.
class NodeList {
 public:
  NodeList() = default;
  NodeList(const NodeList&) = delete;
  NodeList& operator=(const NodeList&) = delete;
  ~NodeList() { std::free(data_); }
  void push_back(Node* node) {
    if (size_ == capacity_) [[unlikely]]
      grow();
    data_[size_++] = node;
  }
  Node*& back() { return data_[size_ - 1]; }
  void pop_back() { --size_; }
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  Node* operator[](std::size_t i) const { return data_[i]; }
  Node** begin() { return data_; }
  Node** end() { return data_ + size_; }
  void clear() { size_ = 0; }
  void release() {
    std::free(std::exchange(data_, nullptr));
    size_ = capacity_ = 0;
  }

 private:
  void grow() {
    const std::size_t capacity = capacity_ ? 2 * capacity_ : 256;
    void* grown = std::realloc(data_, capacity * sizeof(Node*));
    if (!grown) throw std::bad_alloc();
    data_ = static_cast<Node**>(grown);
#ifdef MADV_POPULATE_WRITE
    // The new half will be written entry by entry: fault it in by one call.
    constexpr std::uintptr_t kPage = 4096;
    const auto from =
        (reinterpret_cast<std::uintptr_t>(data_ + capacity_) + kPage - 1) & ~(kPage - 1);
    const auto to = reinterpret_cast<std::uintptr_t>(data_ + capacity) & ~(kPage - 1);
    if (to > from + (1 << 20))
      madvise(reinterpret_cast<void*>(from), to - from, MADV_POPULATE_WRITE);
#endif
    capacity_ = capacity;
  }
  Node** data_ = nullptr;
  std::size_t size_ = 0, capacity_ = 0;
};

// Clears kVisited on everything a (possibly interrupted) collect reached.
void unmark(NodeList& order, NodeList& stack) {
  for (Node* node : order) node->flags &= ~Node::kVisited;
  for (Node* entry : stack) {
    auto* node =
        reinterpret_cast<Node*>(reinterpret_cast<std::uintptr_t>(entry) & ~std::uintptr_t{1});
    node->flags &= ~Node::kVisited;
  }
  order.clear();
  stack.clear();
}

// Buffers reused by backward() on this thread: allocating them per call
// would dominate small graphs. Large ones are let go after use.
struct Scratch {
  NodeList order, stack;
  bool busy = false;
};
thread_local Scratch scratch;
constexpr std::size_t kScratchKeep = 1 << 16;

// AnomalyMode: after `node`'s backward, every input's gradient must be finite.
void check_backward(const Node& node) {
  int k = 0;
  for_each_input(node, [&](const Node* input) {
    if (!input->op->kind->grad_is_finite(*input)) {
      const std::string label = get_label(&node);
      fail<AnomalyError>(
          "anomaly: the backward of '{}'{} produced NaN or infinity in the gradient of input {} "
          "({})",
          node.op->name, label.empty() ? "" : fmt::format(" (labelled '{}')", label), k,
          input->op->kind->describe_short(*input));
    }
    ++k;
  });
}

[[noreturn]] void throw_released(const Node& node) {
  fail<GraphError>(
      "backward: the graph through '{}' was already freed by an earlier backward(); pass "
      "retain_graph = true to the first one to backward through it again",
      node.op->name);
}

// After a sweep without retain_graph. Forward order: a node is released
// only by its consumers, which come later, so each is alive when visited.
void release_graph(NodeList& order) {
  for (Node* node : order) {
    if (!node->is_leaf() && node->op->kind->release_graph) {
      node->op->kind->release_graph(*node);
      node->flags |= Node::kReleased;
    }
  }
}

}  // namespace

std::vector<Node*> topological_order(Node* root) {
  std::vector<Node*> order, stack;
  collect(root, order, stack, [](Node&) {});
  for (Node* node : order) node->flags &= ~Node::kVisited;
  return order;
}

void backward(Node* root, Seed seed, bool retain_graph, bool create_graph) {
  Scratch own;  // used only if a backward runs inside another one
  Scratch& s = scratch.busy ? own : scratch;
  s.busy = true;
  GradModeGuard mode(create_graph);
  try {
    // Interior gradients belong to one sweep; leaf gradients accumulate, as
    // in PyTorch. So a second backward() adds the same amount to the leaves.
    collect(root, s.order, s.stack, [](Node& node) {
      if (node.is_leaf()) return;
      if (node.flags & Node::kReleased) throw_released(node);
      node.op->kind->clear_grad(node);
    });
    seed.fn(*root, seed.arg);
    for (std::size_t i = s.order.size(); i-- > 0;) {
      Node* node = s.order[i];
      node->flags &= ~Node::kVisited;
      if (node->is_leaf()) continue;
      if (anomaly_enabled) [[unlikely]] {
        anomaly_backward_of = node->op->name;
        node->op->backward(*node);
        anomaly_backward_of = nullptr;
        check_backward(*node);
      } else {
        node->op->backward(*node);
      }
    }
  } catch (...) {
    anomaly_backward_of = nullptr;
    unmark(s.order, s.stack);
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

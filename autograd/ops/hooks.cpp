// SPDX-License-Identifier: MIT
// Tensor gradient hooks: what a tensor attaches to its node through the
// engine's hook table (node.hpp), and what it does at each point of a sweep.
// A leaf with gradient hooks sets its gradient so far aside when a sweep
// reaches it, so the hooks see this sweep's gradient alone, then adds the
// (possibly replaced) result back: PyTorch's order (hooks, then accumulation).
#include <atomic>
#include <optional>

#include "autograd/error.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag {
namespace detail {
namespace {

std::atomic<unsigned> next_hook_id{1};

class TensorHooks final : public NodeHooks {
 public:
  template <class Fn>
  struct Entry {
    unsigned id;
    Fn fn;  // empty once removed during a run
  };
  std::vector<Entry<std::function<Tensor(const Tensor&)>>> grad_hooks;
  std::vector<Entry<std::function<void(const Tensor&)>>> post_hooks;

  void run(Node& node, HookPoint point) override {
    TensorNode& t = as_tensor(node);
    ++running_;
    struct Done {
      TensorHooks& h;
      ~Done() {
        if (--h.running_ == 0) h.drop_removed();
      }
    } done{*this};
    switch (point) {
      case HookPoint::sweep_starts:
        if (t.is_leaf() && !grad_hooks.empty() && !set_aside_) {
          set_aside_ = std::move(t.grad);
          t.grad = Tensor();
        }
        return;
      case HookPoint::sweep_failed:
        put_back(t);
        return;
      case HookPoint::gradient_ready:
        if (t.is_leaf()) {
          leaf_ready(t);
        } else if (t.grad.defined()) {
          t.grad = apply(t, t.grad);
          if (GradCapture::Slot* slot = captured(t)) slot->grad = t.grad;
        }
        return;
    }
  }
  bool idle() const override {
    return grad_hooks.empty() && post_hooks.empty() && !set_aside_ && running_ == 0;
  }
  bool remove(unsigned id) {
    bool found = false;
    const auto clear = [&](auto& list) {
      for (auto& entry : list) {
        if (entry.id == id) {
          entry.fn = nullptr;
          found = true;
        }
      }
    };
    clear(grad_hooks);
    clear(post_hooks);
    if (running_ == 0) drop_removed();
    return found;
  }

 private:
  // This sweep's gradient of a leaf: hooks, then into grad() (or, under
  // ag::grad, into what it returns), then the post-accumulate hooks.
  void leaf_ready(TensorNode& t) {
    GradCapture::Slot* slot = captured(t);
    if (set_aside_) {
      if (slot) {
        if (slot->grad.defined()) slot->grad = apply(t, slot->grad);
        t.grad = std::move(*set_aside_);  // ag::grad adds nothing to grad()
      } else {
        Tensor g = std::move(t.grad);
        if (g.defined()) g = apply(t, g);
        t.grad = std::move(*set_aside_);
        if (g.defined()) accumulate_grad(t, g);
      }
      set_aside_.reset();
    }
    if (active_capture) return;
    const Tensor self = output(t);
    for (std::size_t i = 0; i < post_hooks.size(); ++i) {
      const auto fn = post_hooks[i].fn;  // a copy: a hook may register more
      if (fn) fn(self);
    }
  }
  // The gradient after every hook, checked to fit the tensor.
  Tensor apply(const TensorNode& t, Tensor g) {
    for (std::size_t i = 0; i < grad_hooks.size(); ++i) {
      const auto fn = grad_hooks[i].fn;
      if (!fn) continue;
      Tensor replaced = fn(g);
      if (!replaced.defined()) continue;
      if (replaced.shape() != t.shape) {
        fail<ShapeError>("register_hook: a hook returned a gradient of shape {} for a tensor of {}",
                         replaced.shape(), t.shape);
      }
      if (replaced.dtype() != t.dtype) {
        fail<DTypeError>("register_hook: a hook returned a {} gradient for a {} tensor",
                         replaced.dtype(), t.dtype);
      }
      g = std::move(replaced);
    }
    return g;
  }
  // A failed sweep: what was set aside goes back, with what arrived.
  void put_back(TensorNode& t) {
    if (!set_aside_) return;
    Tensor partial = std::move(t.grad);
    t.grad = std::move(*set_aside_);
    set_aside_.reset();
    if (partial.defined() && !active_capture) accumulate_grad(t, partial);
  }
  static GradCapture::Slot* captured(const TensorNode& t) {
    if (!active_capture) return nullptr;
    for (auto& slot : active_capture->slots)
      if (slot.node == &t) return &slot;
    return nullptr;
  }
  void drop_removed() {
    std::erase_if(grad_hooks, [](const auto& e) { return !e.fn; });
    std::erase_if(post_hooks, [](const auto& e) { return !e.fn; });
  }
  std::optional<Tensor> set_aside_;  // a leaf's gradient before this sweep
  int running_ = 0;
};

TensorHooks& hooks_for(TensorNode& node, const char* what) {
  if (!node.requires_grad()) {
    fail<GraphError>("{}: the tensor does not require a gradient (call requires_grad_() first)",
                     what);
  }
  if (auto* hooks = dynamic_cast<TensorHooks*>(hooks_of(&node))) return *hooks;
  auto made = std::make_unique<TensorHooks>();
  TensorHooks& hooks = *made;
  set_hooks(&node, std::move(made));
  return hooks;
}

}  // namespace
}  // namespace detail

unsigned Tensor::add_grad_hook(std::function<Tensor(const Tensor&)> hook) {
  detail::TensorHooks& hooks = detail::hooks_for(self(), "register_hook");
  const unsigned id = detail::next_hook_id++;
  hooks.grad_hooks.push_back({id, std::move(hook)});
  return id;
}

unsigned Tensor::register_post_accumulate_grad_hook(std::function<void(const Tensor&)> hook) {
  detail::TensorNode& node = self();
  if (!node.is_leaf()) {
    detail::fail<GraphError>(
        "register_post_accumulate_grad_hook: only a leaf accumulates its gradient (this tensor "
        "was made by '{}')",
        node.op()->name);
  }
  detail::TensorHooks& hooks = detail::hooks_for(node, "register_post_accumulate_grad_hook");
  const unsigned id = detail::next_hook_id++;
  hooks.post_hooks.push_back({id, std::move(hook)});
  return id;
}

void Tensor::remove_hook(unsigned id) const {
  detail::TensorNode& node = self();
  auto* hooks = dynamic_cast<detail::TensorHooks*>(detail::hooks_of(&node));
  if (hooks && hooks->remove(id) && hooks->idle()) detail::forget_hooks(&node);
}

}  // namespace ag

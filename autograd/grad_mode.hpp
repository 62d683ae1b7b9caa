// SPDX-License-Identifier: MIT
// Gradient recording mode (thread-local), and the guard that turns it off.
#pragma once

namespace ag {

namespace detail {
extern constinit thread_local bool grad_enabled;
}

/// Whether tensor ops on this thread record graph nodes.
inline bool is_grad_enabled() { return detail::grad_enabled; }

/// Within its scope, tensor ops on this thread record nothing: results are
/// plain leaves (PyTorch's `torch.no_grad()`). Nests; restores on exit.
class NoGradGuard {
 public:
  NoGradGuard() : previous_(detail::grad_enabled) { detail::grad_enabled = false; }
  ~NoGradGuard() { detail::grad_enabled = previous_; }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

/// Sets the mode for its scope (used by backward for create_graph).
class GradModeGuard {
 public:
  /// Gradient mode on (`enabled`) or off until the guard goes.
  explicit GradModeGuard(bool enabled) : previous_(detail::grad_enabled) {
    detail::grad_enabled = enabled;
  }
  ~GradModeGuard() { detail::grad_enabled = previous_; }
  GradModeGuard(const GradModeGuard&) = delete;
  GradModeGuard& operator=(const GradModeGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace ag

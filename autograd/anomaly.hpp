// SPDX-License-Identifier: MIT
// Anomaly detection (PyTorch's detect_anomaly): find the op where a NaN or
// infinity first appears, forward or backward.
#pragma once

#include <cstdint>

namespace ag {

namespace detail {
extern constinit thread_local bool anomaly_enabled;
extern constinit thread_local std::uint64_t anomaly_ops;  ///< ops recorded while enabled
/// The op whose backward is running (while anomaly detection is on), or null.
extern constinit thread_local const char* anomaly_backward_of;
}  // namespace detail

/// While one is alive on this thread, every op checks its result, and every
/// backward step the gradients it produced, for NaN and infinity, and
/// throws AnomalyError naming the op, its inputs' shapes and where it was
/// created (its label, or "op #k": the k-th op since the guard began).
/// Off by default; when off it costs one thread-local test per op.
class AnomalyMode {
 public:
  AnomalyMode() : previous_(detail::anomaly_enabled) {
    detail::anomaly_enabled = true;
    detail::anomaly_ops = 0;
  }
  ~AnomalyMode() { detail::anomaly_enabled = previous_; }
  AnomalyMode(const AnomalyMode&) = delete;
  AnomalyMode& operator=(const AnomalyMode&) = delete;

 private:
  bool previous_;
};

/// Whether an AnomalyMode guard is active on this thread.
inline bool is_anomaly_enabled() { return detail::anomaly_enabled; }

}  // namespace ag

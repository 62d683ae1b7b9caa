// SPDX-License-Identifier: MIT
// Opt-in bfloat16 matrix products (PyTorch's CPU autocast), thread-local.
#pragma once

#include <string_view>

namespace ag {

namespace detail {
extern constinit thread_local bool autocast_enabled;
}

/// Whether matrix products of float32 operands on this thread run in bfloat16.
inline bool is_autocast_enabled() { return detail::autocast_enabled; }

/// Within its scope, on this thread, every matrix product of float32
/// operands (matmul, linear, and the layers built on them: recurrent,
/// convolution, attention) rounds both operands to bfloat16 and sums the
/// products in float32; results stay float32, and so does every other op.
/// A product recorded in the scope also runs its backward products in
/// bfloat16, wherever backward is called (as in PyTorch, where the recorded op
/// is a bfloat16 one); the rounding passes gradients straight through, as
/// PyTorch's casts do. float64 products are never rounded.
///
/// The precision: bfloat16 keeps 8 significant bits (relative rounding error
/// up to 2^-9 = 0.2 % per operand), float32's exponent range, and float32
/// sums, so a product's relative error is about 2^-9 times the condition of
/// the sum. For training that is usually harmless (docs/performance.md
/// measures P3's loss curve); for gradient checks it is not, so gradcheck
/// runs float64. Unlike PyTorch, outputs are not rounded to bfloat16.
///
/// Where the CPU has AMX, oneDNN multiplies in bfloat16 (about twice the
/// float32 rate); elsewhere the rounded operands go through the float32 GEMM
/// (same results up to the order of the sums, no faster): autocast_backend().
/// Nests; restores the previous setting on exit.
class AutocastGuard {
 public:
  /// bfloat16 products on this thread (`enabled`), or not, until the guard goes.
  explicit AutocastGuard(bool enabled = true) : previous_(detail::autocast_enabled) {
    detail::autocast_enabled = enabled;
  }
  ~AutocastGuard() { detail::autocast_enabled = previous_; }
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool previous_;
};

/// Where autocast products run now: "onednn" (bfloat16 instructions: by
/// default where the CPU has AMX; AG_GEMM=onednn or set_gemm_backend("onednn")
/// takes them to oneDNN on any CPU it has bfloat16 kernels for) or "float32"
/// (rounded operands through the float32 GEMM; also under AG_GEMM=blas).
std::string_view autocast_backend();

/// `x` rounded to the nearest bfloat16 (ties to even; NaN stays NaN), as a
/// float: the rounding autocast applies to each operand.
float round_to_bfloat16(float x);

}  // namespace ag

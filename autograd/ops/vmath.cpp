// SPDX-License-Identifier: MIT
// Which width's kernels run (vmath.hpp): the widest the CPU has, FMA or not;
// AG_VMATH=portable (or force_kernels) for the no-FMA set everywhere.
#include "autograd/ops/vmath.hpp"

#include <atomic>
#include <cstdlib>
#include <string>

#include "autograd/error.hpp"

namespace ag::detail::vmath {

// The width files (vmath/*.cpp).
#define AG_VMATH_DECLARE(name)                                            \
  void name(Fn f, const float* in, float* out, std::int64_t n, Params p); \
  void name(Fn f, const double* in, double* out, std::int64_t n, Params p)
AG_VMATH_DECLARE(run_avx512);
AG_VMATH_DECLARE(run_avx512_portable);
AG_VMATH_DECLARE(run_avx2);
AG_VMATH_DECLARE(run_avx2_portable);
AG_VMATH_DECLARE(run_sse2_portable);
#undef AG_VMATH_DECLARE

namespace {

enum class Width : int { sse2, avx2, avx512 };

struct Choice {
  Width width;
  bool portable;
};

Width widest() {
  static const Width w = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return Width::avx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Width::avx2;
    return Width::sse2;
  }();
  return w;
}

Choice from_environment() {
  const char* env = std::getenv("AG_VMATH");
  const std::string value = env ? env : "";
  if (!value.empty() && value != "portable" && value != "auto") {
    fail<ValueError>("AG_VMATH: '{}' is not auto or portable", value);
  }
  // A CPU without FMA runs the portable set anyway.
  return {widest(), value == "portable" || widest() == Width::sse2};
}

std::atomic<int> forced{-1};  // width * 2 + portable, or -1 for none

Choice current() {
  const int f = forced.load(std::memory_order_relaxed);
  if (f >= 0) return {static_cast<Width>(f / 2), (f & 1) != 0};
  static const Choice c = from_environment();
  return c;
}

template <class T>
void dispatch(Fn f, const T* in, T* out, std::int64_t n, Params p) {
  if (n <= 0) return;
  const Choice c = current();
  switch (c.width) {
    case Width::avx512:
      return c.portable ? run_avx512_portable(f, in, out, n, p) : run_avx512(f, in, out, n, p);
    case Width::avx2:
      return c.portable ? run_avx2_portable(f, in, out, n, p) : run_avx2(f, in, out, n, p);
    case Width::sse2:
      return run_sse2_portable(f, in, out, n, p);
  }
}

}  // namespace

void apply(Fn f, const float* in, float* out, std::int64_t n, Params p) {
  dispatch(f, in, out, n, p);
}
void apply(Fn f, const double* in, double* out, std::int64_t n, Params p) {
  dispatch(f, in, out, n, p);
}

std::string_view kernels() {
  const Choice c = current();
  static constexpr std::string_view names[] = {"sse2-portable", "avx2", "avx2-portable", "avx512",
                                               "avx512-portable"};
  if (c.width == Width::sse2) return names[0];
  return names[1 + (c.width == Width::avx512 ? 2 : 0) + (c.portable ? 1 : 0)];
}

void force_kernels(std::string_view width, bool portable) {
  if (width.empty()) {
    forced = -1;
    return;
  }
  const Width w = width == "avx512" ? Width::avx512 : width == "avx2" ? Width::avx2 : Width::sse2;
  if (static_cast<int>(w) > static_cast<int>(widest())) {
    fail<ValueError>("force_kernels: this CPU has no {}", width);
  }
  forced = static_cast<int>(w) * 2 + ((portable || w == Width::sse2) ? 1 : 0);
}

}  // namespace ag::detail::vmath

// SPDX-License-Identifier: MIT
// bfloat16 products for autocast: each operand is rounded to bfloat16 (round
// to nearest, ties to even, as PyTorch's .bfloat16()) and the products are
// summed in float32. On oneDNN's bfloat16 kernels where gemm_backends.cpp
// chooses them; elsewhere the rounded operands go through the float32 GEMM,
// the same arithmetic (only the order of the float32 sums differs).
#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

#include "autograd/autocast.hpp"
#include "autograd/ops/gemm.hpp"
#include "autograd/parallel.hpp"

namespace ag {
namespace detail {

constinit thread_local bool autocast_enabled = false;

namespace {

// float32 bits rounded to bfloat16's 16 (to nearest, ties to even) and kept in
// the top half; NaN stays a quiet NaN. Branch-free, so the loops below vectorise.
std::uint32_t bf16_rounded(std::uint32_t bits) {
  const std::uint32_t rounded = bits + 0x7fffu + ((bits >> 16) & 1u);
  const std::uint32_t quiet_nan = bits | 0x400000u;
  return ((bits & 0x7fffffffu) > 0x7f800000u ? quiet_nan : rounded) & 0xffff0000u;
}

// The conversions are a pass over both operands of every product (about 1 ms
// of P3's bfloat16 step at SSE width): built for AVX-512 and AVX2 too, the
// loader picks the widest the CPU runs. Not under ThreadSanitizer: the
// loader calls the clones' resolver before TSan's runtime is up (a crash at
// start).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_THREAD__)
#define AG_WIDEST_VECTORS [[gnu::target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")]]
#else
#define AG_WIDEST_VECTORS
#endif

// Buffers only grow: a resize would zero what a shrink left, at every product.
template <class T>
T* room(std::vector<T>& buffer, std::int64_t count) {
  if (buffer.size() < static_cast<std::size_t>(count))
    buffer.resize(static_cast<std::size_t>(count));
  return buffer.data();
}

AG_WIDEST_VECTORS void to_bf16(const float* __restrict x, std::int64_t count,
                               std::uint16_t* __restrict o) {
  for (std::int64_t i = 0; i < count; ++i)
    o[i] = static_cast<std::uint16_t>(bf16_rounded(std::bit_cast<std::uint32_t>(x[i])) >> 16);
}

AG_WIDEST_VECTORS void round_to_bf16(const float* __restrict x, std::int64_t count,
                                     float* __restrict o) {
  for (std::int64_t i = 0; i < count; ++i)
    o[i] = std::bit_cast<float>(bf16_rounded(std::bit_cast<std::uint32_t>(x[i])));
}

// Conversion passes split over the library's threads (elementwise: the
// same bits however split).
template <class Out>
void convert(void (*pass)(const float*, std::int64_t, Out*), const float* x, std::int64_t count,
             Out* o) {
  parallel_for(count, kParallelGrain, [&](std::int64_t begin, std::int64_t end) {
    pass(x + begin, end - begin, o + begin);
  });
}

}  // namespace

void gemm_kernel_bf16(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k,
                      const float* a, const float* b, float* c) {
  if (k > 0 && bf16_on_onednn()) {
    thread_local std::vector<std::uint16_t> a16, b16;
    std::uint16_t* a_bits = room(a16, m * k);
    std::uint16_t* b_bits = room(b16, k * n);
    convert(to_bf16, a, m * k, a_bits);
    convert(to_bf16, b, k * n, b_bits);
    if (bf16_gemm(ta, tb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), a_bits,
                  b_bits, c))
      return;
  }
  thread_local std::vector<float> a_rounded, b_rounded;
  float* a_values = room(a_rounded, m * k);
  float* b_values = room(b_rounded, k * n);
  convert(round_to_bf16, a, m * k, a_values);
  convert(round_to_bf16, b, k * n, b_values);
  gemm_kernel(ta, tb, m, n, k, a_values, b_values, c);
}

}  // namespace detail

float round_to_bfloat16(float x) {
  return std::bit_cast<float>(detail::bf16_rounded(std::bit_cast<std::uint32_t>(x)));
}

}  // namespace ag

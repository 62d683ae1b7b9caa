// SPDX-License-Identifier: MIT
// The kernels at SSE2 width (4 floats, 2 doubles), the baseline of x86-64:
// SLEEF's portable no-FMA (cinz) set, what a CPU without FMA runs.
#include <immintrin.h>
#include <sleef.h>

#include "autograd/ops/vmath/impl.hpp"
#include "autograd/ops/vmath/kernels.hpp"

namespace ag::detail::vmath {
namespace {
using VF = float __attribute__((vector_size(16)));
using VD = double __attribute__((vector_size(16)));
AG_VMATH_KERNELS(PortableF, float, VF, __m128, cinz, f4, sse2, _mm_sqrt_ps);
AG_VMATH_KERNELS(PortableD, double, VD, __m128d, cinz, d2, sse2, _mm_sqrt_pd);
}  // namespace
AG_VMATH_ENTRY(run_sse2_portable, PortableF, VF, float)
AG_VMATH_ENTRY(run_sse2_portable, PortableD, VD, double)
}  // namespace ag::detail::vmath

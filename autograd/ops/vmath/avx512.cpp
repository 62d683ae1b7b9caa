// SPDX-License-Identifier: MIT
// The kernels at AVX-512 width (16 floats, 8 doubles): SLEEF's FMA (finz)
// and portable no-FMA (cinz) sets. Built with -mavx512f; run only where
// the CPU has it (vmath.cpp).
// GCC 12 warns inside its own _mm512_sqrt_ps (the undefined vector it
// passes as the mask's source): not our code, and not a real read.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#include <sleef.h>

#include "autograd/ops/vmath/impl.hpp"
#include "autograd/ops/vmath/kernels.hpp"

namespace ag::detail::vmath {
namespace {
using VF = float __attribute__((vector_size(64)));
using VD = double __attribute__((vector_size(64)));
AG_VMATH_KERNELS(FmaF, float, VF, __m512, finz, f16, avx512f, _mm512_sqrt_ps);
AG_VMATH_KERNELS(FmaD, double, VD, __m512d, finz, d8, avx512f, _mm512_sqrt_pd);
AG_VMATH_KERNELS(PortableF, float, VF, __m512, cinz, f16, avx512fnofma, _mm512_sqrt_ps);
AG_VMATH_KERNELS(PortableD, double, VD, __m512d, cinz, d8, avx512fnofma, _mm512_sqrt_pd);
}  // namespace
AG_VMATH_ENTRY(run_avx512, FmaF, VF, float)
AG_VMATH_ENTRY(run_avx512, FmaD, VD, double)
AG_VMATH_ENTRY(run_avx512_portable, PortableF, VF, float)
AG_VMATH_ENTRY(run_avx512_portable, PortableD, VD, double)
}  // namespace ag::detail::vmath

// SPDX-License-Identifier: MIT
// The kernels at AVX2 width (8 floats, 4 doubles): SLEEF's FMA (finz, AVX2)
// and portable no-FMA (cinz, AVX) sets. Built with -mavx2 -mfma; run only
// where the CPU has both (vmath.cpp).
#include <immintrin.h>
#include <sleef.h>

#include "autograd/ops/vmath/impl.hpp"
#include "autograd/ops/vmath/kernels.hpp"

namespace ag::detail::vmath {
namespace {
using VF = float __attribute__((vector_size(32)));
using VD = double __attribute__((vector_size(32)));
AG_VMATH_KERNELS(FmaF, float, VF, __m256, finz, f8, avx2, _mm256_sqrt_ps);
AG_VMATH_KERNELS(FmaD, double, VD, __m256d, finz, d4, avx2, _mm256_sqrt_pd);
AG_VMATH_KERNELS(PortableF, float, VF, __m256, cinz, f8, avx, _mm256_sqrt_ps);
AG_VMATH_KERNELS(PortableD, double, VD, __m256d, cinz, d4, avx, _mm256_sqrt_pd);
}  // namespace
AG_VMATH_ENTRY(run_avx2, FmaF, VF, float)
AG_VMATH_ENTRY(run_avx2, FmaD, VD, double)
AG_VMATH_ENTRY(run_avx2_portable, PortableF, VF, float)
AG_VMATH_ENTRY(run_avx2_portable, PortableD, VD, double)
}  // namespace ag::detail::vmath

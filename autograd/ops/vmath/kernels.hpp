// SPDX-License-Identifier: MIT
// SLEEF's kernels for one width as the K of impl.hpp: AG_VMATH_KERNELS(Name,
// T, V, M, set, width, isa, sqrt) names Sleef_<set>_<fn><width>_u10<isa>,
// e.g. Sleef_finz_expf16_u10avx512f
// (erfc: SLEEF has it at 1.5 ulp only, _u15). Included by the width files only.
#pragma once

#define AG_VMATH_FN(set, fn, width, isa) Sleef_##set##_##fn##width##_u10##isa

#define AG_VMATH_KERNELS(Name, T, V, M, set, width, isa, sqrt_fn)                       \
  struct Name {                                                                         \
    static V exp(V x) { return (V)AG_VMATH_FN(set, exp, width, isa)((M)x); }            \
    static V log(V x) { return (V)AG_VMATH_FN(set, log, width, isa)((M)x); }            \
    static V log1p(V x) { return (V)AG_VMATH_FN(set, log1p, width, isa)((M)x); }        \
    static V expm1(V x) { return (V)AG_VMATH_FN(set, expm1, width, isa)((M)x); }        \
    static V tanh(V x) { return (V)AG_VMATH_FN(set, tanh, width, isa)((M)x); }          \
    static V sin(V x) { return (V)AG_VMATH_FN(set, sin, width, isa)((M)x); }            \
    static V cos(V x) { return (V)AG_VMATH_FN(set, cos, width, isa)((M)x); }            \
    static V erf(V x) { return (V)AG_VMATH_FN(set, erf, width, isa)((M)x); }            \
    static V erfc(V x) { return (V)Sleef_##set##_erfc##width##_u15##isa((M)x); }        \
    static V pow(V x, V y) { return (V)AG_VMATH_FN(set, pow, width, isa)((M)x, (M)y); } \
    static V sqrt(V x) { return (V)sqrt_fn((M)x); }                                     \
  }

// The entry points of one width: run_<width>(f, in, out, n, p) for float
// and double, with the FMA kernels (Fma*) or the portable ones (Portable*).
#define AG_VMATH_ENTRY(name, K, V, T) \
  void name(Fn f, const T* in, T* out, std::int64_t n, Params p) { run<K, V, T>(f, in, out, n, p); }

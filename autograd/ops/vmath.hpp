// SPDX-License-Identifier: MIT
// The elementwise kernels of the float ops (internal; not installed): exp,
// log, tanh, erf, ... and their compositions (sigmoid, softplus, GELU, the
// backward of GELU) over contiguous arrays, vectorised with SLEEF's
// deterministic 1-ulp functions at the widest width the CPU has (vmath/).
//
// Bits: on every CPU with FMA (AVX2 or AVX-512, since 2013) the results are
// the same, whatever the width (SLEEF's "finz" functions, and our own
// compositions use only IEEE operations, -ffp-contract=off); on CPUs without
// FMA, and everywhere with AG_VMATH=portable, they are SLEEF's "cinz"
// functions' (the same on every CPU, FMA or not). That is the library's one
// exception to "the same bits on every CPU" (docs/design.md): set
// AG_VMATH=portable for ranks on hosts of mixed kinds.
#pragma once

#include <cstdint>
#include <string_view>

namespace ag::detail::vmath {

/// The functions, with their parameters where they have some.
enum class Fn : std::uint8_t {
  exp,
  log,
  log1p,
  expm1,
  tanh,
  sin,
  cos,
  erf,
  sqrt,
  rsqrt,
  sigmoid,         ///< 1/(1+e^-x)
  softplus,        ///< (max(βx, 0) + log1p(e^-|βx|))/β, x where βx > threshold
  logsigmoid,      ///< min(x, 0) - log1p(e^-|x|)
  gelu,            ///< x·½(1 + erf(x/√2))
  gelu_tanh,       ///< ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
  gelu_grad,       ///< d gelu/dx = Φ(x) + x φ(x)
  gelu_tanh_grad,  ///< d gelu_tanh/dx, from one tanh
  softplus_grad,   ///< d softplus/dx = σ(βx), 1 where βx > threshold (params as softplus)
  pow,             ///< x^a (a = param0; whole and half exponents exactly as x·x, 1/x, √x)
};

/// Parameters of the functions that take them (softplus: beta, threshold; pow: a).
struct Params {
  double p0 = 0, p1 = 0;
};

/// out[i] = f(in[i]) for i < n, one thread (the caller splits).
void apply(Fn f, const float* in, float* out, std::int64_t n, Params p = {});
void apply(Fn f, const double* in, double* out, std::int64_t n, Params p = {});

/// Which kernels run: "avx512", "avx2" (both FMA) or "sse2", and
/// "-portable" when the deterministic no-FMA ones were asked for.
std::string_view kernels();
/// For tests: force a width ("avx512", "avx2", "sse2"; the CPU must have
/// it) and the portable set; "" goes back to the CPU's own choice.
void force_kernels(std::string_view width, bool portable);

}  // namespace ag::detail::vmath

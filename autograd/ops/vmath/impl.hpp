// SPDX-License-Identifier: MIT
// What each width's file (avx512.cpp, avx2.cpp, sse2.cpp) compiles: the
// functions of vmath.hpp over vectors V of SLEEF's kernels K. Included by
// those files only, each built for its instruction set.
#pragma once

#include <cmath>
#include <cstring>
#include <limits>

#include "autograd/ops/vmath.hpp"

namespace ag::detail::vmath {

// A vector of `n` (at most a full vector's) elements from `p`; the rest zero.
template <class V, class T>
inline V load(const T* p, std::int64_t n) {
  V v{};
  std::memcpy(&v, p, static_cast<std::size_t>(n) * sizeof(T));
  return v;
}
template <class V, class T>
inline void store(T* p, V v, std::int64_t n) {
  std::memcpy(p, &v, static_cast<std::size_t>(n) * sizeof(T));
}

// The constants of compute() for T: where SLEEF's functions need help at
// the edges of their domain (its exp is +inf just below log(max), its log1p
// +inf above 1e307 (1e38), its tanh and erf lose a bit near zero).
template <class T>
struct Edges;
template <>
struct Edges<double> {
  static constexpr double exp_from = 709;                  // exp(x) = 2^1023 exp(x - 1023 ln2)
  static constexpr double exp_hi = 709.0895657128241;      // 1023 ln2, rounded (x - hi exact)
  static constexpr double exp_lo = -3.12321908132976e-14;  // 1023 ln2 - hi
  static constexpr double exp_scale = 0x1p1023;
  static constexpr double log1p_from = 0x1p1000;  // log1p(x) = log1p(x 2^-64) + 64 ln2
  static constexpr double tiny = 0x1p-28;         // tanh(x) = x, erf(x) = x 2/√π below
};
template <>
struct Edges<float> {
  static constexpr float exp_from = INFINITY;  // SLEEF's expf is right up to FLT_MAX
  static constexpr float exp_hi = 0, exp_lo = 0, exp_scale = 1;
  static constexpr float log1p_from = 0x1p100f;
  static constexpr float tiny = 0x1p-13f;
};

// Whether any lane of a comparison's mask is set.
template <class M>
inline bool any(M mask) {
  const M none{};
  return std::memcmp(&mask, &none, sizeof(M)) != 0;
}

// One vector of f(x). K provides exp, log, log1p, expm1, tanh, sin, cos,
// erf, erfc, pow and sqrt of V; T is the element type. Compositions are
// written so that nothing cancels: sigmoid as e/(1+e) below zero, GELU
// through erfc, the tanh GELU as x·sigmoid(2u) (= ½x(1 + tanh u)).
template <class K, class V, class T>
inline V compute(Fn f, V x, Params p) {
  using E = Edges<T>;
  const V one = V{} + T(1), half = V{} + T(0.5), zero = V{};
  constexpr T sqrt_half = T(0.70710678118654752440), sqrt_2_pi = T(0.79788456080286535588);
  const auto abs = [&](V v) { return v < zero ? -v : v; };
  // sigmoid(v) and 1 - sigmoid(v) from one e^-|v|, neither cancelling.
  struct Split {
    V s, rest;
  };
  const auto sigmoid_split = [&](V v, bool want_rest) {
    const V e = K::exp(v < zero ? v : -v), d = one + e;
    const V s = (v < zero ? e : one) / d;
    return Split{s, want_rest ? (v < zero ? one : e) / d : zero};
  };
  const auto clamp = [&](V v) {  // to ±1e10, where the gradients' tails are 0
    return v < T(-1e10) ? V{} + T(-1e10) : (v > T(1e10) ? V{} + T(1e10) : v);
  };
  // Φ(x) = ½(1 + erf(x/√2)), PyTorch's formula, fast but cancelling as
  // Φ → 0: below x = -3 (Φ < 0.0014) it is ½erfc(-x/√2) instead, lane by
  // lane, erfc (slower) computed only for vectors that have such a lane.
  const auto cdf = [&](V v) {
    const V by_erf = half * (one + K::erf(v * sqrt_half));
    const auto tail = v < T(-3);
    if (!any(tail)) return by_erf;
    return tail ? half * K::erfc(-v * sqrt_half) : by_erf;
  };
  switch (f) {
    case Fn::exp: {
      const auto big = x > E::exp_from;
      const V r = K::exp(big ? (x - E::exp_hi) - E::exp_lo : x);
      return big ? r * E::exp_scale : r;
    }
    case Fn::log:
      return K::log(x);
    case Fn::log1p: {
      const auto big = x > E::log1p_from;
      const V r = K::log1p(big ? x * T(0x1p-64) : x);
      return big ? r + T(44.361419555836499802702855773323) : r;
    }
    case Fn::expm1:
      return K::expm1(x);
    case Fn::tanh:
      return abs(x) < E::tiny ? x : K::tanh(x);
    case Fn::sin:
      return K::sin(x);
    case Fn::cos:
      return K::cos(x);
    case Fn::erf:
      return abs(x) < E::tiny ? x + x * T(0.12837916709551257390) : K::erf(x);
    case Fn::sqrt:
      return K::sqrt(x);
    case Fn::rsqrt:
      return one / K::sqrt(x);
    case Fn::sigmoid:
      return sigmoid_split(x, false).s;
    case Fn::softplus: {
      const V bx = x * T(p.p0);
      const V soft = ((bx > zero ? bx : zero) + K::log1p(K::exp(-abs(bx)))) / T(p.p0);
      return bx > T(p.p1) ? x : soft;
    }
    case Fn::logsigmoid:
      return (x < zero ? x : zero) - K::log1p(K::exp(-abs(x)));
    case Fn::gelu:
      return x * cdf(x);
    case Fn::gelu_tanh: {
      const V u = sqrt_2_pi * (x + T(0.044715) * x * x * x);
      return x * sigmoid_split(u + u, false).s;
    }
    case Fn::gelu_grad: {  // x clamped where φ(x) is 0 anyway (no inf·0 at ±inf)
      const V xc = clamp(x);
      const V pdf = T(0.39894228040143267794) * K::exp(-half * xc * xc);
      return cdf(x) + xc * pdf;
    }
    case Fn::gelu_tanh_grad: {
      // ½(1 + tanh u) = s and ½(1 - tanh² u) = 2s(1 - s), s = sigmoid(2u);
      // x clamped where s(1 - s) is 0 anyway, so 0·inf never happens.
      const V u = sqrt_2_pi * (x + T(0.044715) * x * x * x);
      const Split s = sigmoid_split(u + u, true);
      const V xc = clamp(x);
      const V inner_grad = sqrt_2_pi * (one + T(3.0 * 0.044715) * xc * xc);
      return s.s + T(2) * xc * s.s * s.rest * inner_grad;
    }
    case Fn::softplus_grad: {  // d/dx softplus = σ(βx), 1 past the threshold
      const V bx = x * T(p.p0);
      return bx > T(p.p1) ? one : sigmoid_split(bx, false).s;
    }
    case Fn::pow:  // whole and half exponents as products, a division, a root
      if (p.p0 == 2) return x * x;
      if (p.p0 == 3) return x * x * x;
      if (p.p0 == 1) return x;
      if (p.p0 == 0) return one;
      if (p.p0 == -1) return one / x;
      if (p.p0 == -2) return one / (x * x);
      if (p.p0 == 0.5) return K::sqrt(x);
      if (p.p0 == -0.5) return one / K::sqrt(x);
      return K::pow(x, V{} + T(p.p0));
  }
  return x;
}

// f(x) with every NaN made the one positive quiet NaN: SLEEF's widths
// differ in a NaN's sign (log(-1) is -nan at AVX-512, nan at AVX2), and the
// bits are to be the same at every width.
template <class K, class V, class T>
inline V compute_canonical(Fn f, V x, Params p) {
  const V r = compute<K, V, T>(f, x, p);
  return r != r ? V{} + std::numeric_limits<T>::quiet_NaN() : r;
}

// f over n elements: whole vectors, then the rest in one zero-padded
// vector (so the last elements round as the others do).
template <class K, class V, class T>
void run(Fn f, const T* in, T* out, std::int64_t n, Params p) {
  constexpr std::int64_t lanes = sizeof(V) / sizeof(T);
  std::int64_t i = 0;
  for (; i + lanes <= n; i += lanes) {
    store(out + i, compute_canonical<K, V, T>(f, load<V>(in + i, lanes), p), lanes);
  }
  if (i < n) store(out + i, compute_canonical<K, V, T>(f, load<V>(in + i, n - i), p), n - i);
}

}  // namespace ag::detail::vmath

// SPDX-License-Identifier: MIT
// The elementwise kernels' accuracy (ops/vmath.hpp): every function in
// float32 and float64, on 10^7 points each (uniform over its domain,
// log-uniform over magnitudes, and the edges: ±0, ±inf, NaN, subnormals,
// overflow and underflow thresholds, large arguments of sin and cos),
// against a reference in long double (glibc's expl, ..., checked against
// MPFR on a sample), in units in the last place of the result. The bounds
// stated here are the ones docs/performance.md and README quote. Run with
// the CPU's own kernels and again with the portable set.
#include <doctest/doctest.h>
#include <mpfr.h>

#include <cfloat>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "autograd/ops/vmath.hpp"

namespace vm = ag::detail::vmath;

namespace {

constexpr std::int64_t kPoints = 10'000'000;

// The error of `got` against the exact `want`, in ulps of T at want (ulps of
// the smallest subnormal below the normal range); 0 when both are the same
// NaN/inf/zero, infinity when one is special and the other is not.
template <class T>
double ulp_error(T got, long double want) {
  if (std::isnan(want)) return std::isnan(got) ? 0 : INFINITY;
  if (std::isinf(want)) {
    // A finite result past T's largest is fine when it rounds to ±max or inf.
    return std::isinf(got) && (got > 0) == (want > 0) ? 0 : INFINITY;
  }
  if (std::isnan(got)) return INFINITY;
  if (std::isinf(got)) {
    const long double max = std::numeric_limits<T>::max();
    return std::fabs(want) > max ? 0 : INFINITY;  // the exact value overflows T
  }
  const long double a = std::fabs(want);
  int e = 0;
  std::frexp(static_cast<double>(a == 0 ? std::numeric_limits<T>::min() : a), &e);
  const int digits = std::numeric_limits<T>::digits;
  const int min_e = std::numeric_limits<T>::min_exponent;
  const long double ulp = std::ldexp(1.0L, std::max(e, min_e) - digits);
  return static_cast<double>(std::fabs(static_cast<long double>(got) - want) / ulp);
}

struct Case {
  const char* name;
  vm::Fn fn;
  std::function<long double(long double)> exact;
  double low, high;         // the uniform part of the inputs
  double bound32, bound64;  // the stated bounds, in ulps
  // Compositions round their inner argument (x/√2, x + 0.044715x³) once,
  // which any working-precision formula does: an error the function's own
  // condition number κ(x) = |x f'(x)/f(x)| amplifies. Their bound is
  // bound + per_kappa·κ(x) ulps (κ is below 1 for most x; large where f
  // is tiny, as GELU's left tail, or crosses zero, as GELU's gradient).
  double per_kappa = 0;
  vm::Params params = {};
  // Also accepted: |error| <= abs_units·max(1, |x|)·u (u: T's unit roundoff),
  // the rounding of 1 + erf(x/√2) in exact GELU and its gradient, which
  // cancels for x in [-3, 0) as in PyTorch's formula (erfc below -3).
  double abs_units = 0;
};

constexpr long double kSqrtHalf = 0.707106781186547524400844362104849039L;
constexpr long double kInvSqrt2Pi = 0.398942280401432677939946059934381868L;

// The compositions in long double, written so that nothing cancels.
long double sigmoid_l(long double x) {
  return x < 0 ? std::exp(x) / (1 + std::exp(x)) : 1 / (1 + std::exp(-x));
}
long double gelu_l(long double x) { return x * 0.5L * std::erfc(-x * kSqrtHalf); }
long double gelu_tanh_inner(long double x) {
  return 0.79788456080286535588L * (x + 0.044715L * x * x * x);
}

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"exp", vm::Fn::exp, [](long double x) { return std::exp(x); }, -100, 100, 1.0, 1.0},
      {"log", vm::Fn::log, [](long double x) { return std::log(x); }, 0, 100, 1.0, 1.0},
      {"log1p", vm::Fn::log1p, [](long double x) { return std::log1p(x); }, -1, 100, 1.0, 1.0},
      {"expm1", vm::Fn::expm1, [](long double x) { return std::expm1(x); }, -50, 50, 1.0, 1.0},
      {"tanh", vm::Fn::tanh, [](long double x) { return std::tanh(x); }, -20, 20, 1.0, 1.0},
      {"sin", vm::Fn::sin, [](long double x) { return std::sin(x); }, -1e4, 1e4, 1.0, 1.0},
      {"cos", vm::Fn::cos, [](long double x) { return std::cos(x); }, -1e4, 1e4, 1.0, 1.0},
      {"erf", vm::Fn::erf, [](long double x) { return std::erf(x); }, -6, 6, 1.0, 1.0},
      {"sqrt", vm::Fn::sqrt, [](long double x) { return std::sqrt(x); }, 0, 1e6, 0.5, 0.5},
      {"rsqrt", vm::Fn::rsqrt, [](long double x) { return 1 / std::sqrt(x); }, 0, 1e6, 1.5, 1.5},
      {"pow 2.5",
       vm::Fn::pow,
       [](long double x) { return std::pow(x, 2.5L); },
       0,
       1e3,
       1.0,
       1.0,
       0,
       {2.5, 0}},
      {"sigmoid", vm::Fn::sigmoid, sigmoid_l, -100, 100, 2.5, 2.5},
      {"softplus",
       vm::Fn::softplus,
       [](long double x) { return x > 20 ? x : std::log1p(std::exp(x)); },
       -80,
       80,
       2.0,
       2.0,
       0,
       {1.0, 20.0}},
      {"softplus grad",
       vm::Fn::softplus_grad,
       [](long double x) { return x > 20 ? 1.0L : sigmoid_l(x); },
       -100,
       100,
       2.5,
       2.5,
       0,
       {1.0, 20.0}},
      {"logsigmoid", vm::Fn::logsigmoid,
       [](long double x) { return std::min(x, 0.0L) - std::log1p(std::exp(-std::fabs(x))); }, -80,
       80, 2.0, 2.0},
      {"gelu", vm::Fn::gelu, gelu_l, -10, 10, 3.0, 3.0, 2.0, {}, 2.0},
      {"gelu tanh", vm::Fn::gelu_tanh,
       [](long double x) { return x * sigmoid_l(2 * gelu_tanh_inner(x)); }, -10, 10, 4.0, 4.0, 2.0},
      {"gelu grad",
       vm::Fn::gelu_grad,
       [](long double x) {
         if (std::isinf(x)) return x > 0 ? 1.0L : 0.0L;  // the limits
         return 0.5L * std::erfc(-x * kSqrtHalf) + x * std::exp(-0.5L * x * x) * kInvSqrt2Pi;
       },
       -10,
       10,
       8.0,
       8.0,
       3.0,
       {},
       2.0},
      {"gelu tanh grad", vm::Fn::gelu_tanh_grad,
       [](long double x) {
         if (std::isinf(x)) return x > 0 ? 1.0L : 0.0L;
         const long double u2 = 2 * gelu_tanh_inner(x), s = sigmoid_l(u2), rest = sigmoid_l(-u2);
         return s + 2 * x * s * rest * 0.79788456080286535588L * (1 + 3 * 0.044715L * x * x);
       },
       -10, 10, 8.0, 8.0, 4.0},
  };
  return all;
}

// 10^7 inputs of T: the edges, then half uniform over [low, high], half
// log-uniform magnitudes (both signs where the domain has them).
template <class T>
std::vector<T> inputs(const Case& c) {
  using L = std::numeric_limits<T>;
  std::vector<T> x = {T(0),
                      T(-0.0),
                      L::infinity(),
                      -L::infinity(),
                      L::quiet_NaN(),
                      L::min(),
                      -L::min(),
                      L::denorm_min(),
                      -L::denorm_min(),
                      L::max(),
                      -L::max(),
                      L::min() - L::denorm_min(),  // the largest subnormal
                      std::log(L::max()),
                      std::nextafter(std::log(L::max()), T(0)),
                      std::log(L::min()),
                      std::log(L::denorm_min()),
                      T(1),
                      T(-1),
                      T(1e7),
                      T(1e15),
                      T(-1e7)};
  std::mt19937_64 rng(20261208);
  std::uniform_real_distribution<double> uniform(c.low, c.high), unit(0, 1);
  const double max_e = std::log2(static_cast<double>(L::max()));
  const double min_e = std::log2(static_cast<double>(L::denorm_min()));
  while (static_cast<std::int64_t>(x.size()) < kPoints) {
    if (x.size() % 2) {
      x.push_back(static_cast<T>(uniform(rng)));
    } else {
      const T m = static_cast<T>(std::exp2(min_e + (max_e - min_e) * unit(rng)));
      x.push_back(c.low < 0 && rng() % 2 ? -m : m);
    }
  }
  return x;
}

// κ(x) = |x f'(x) / f(x)|, f' by a central difference in long double.
double condition(const Case& c, long double x) {
  const long double h = std::max(std::fabs(x), 1e-30L) * 1e-6L;
  const long double slope = (c.exact(x + h) - c.exact(x - h)) / (2 * h);
  return static_cast<double>(std::fabs(x * slope / c.exact(x)));
}

// The worst error of f over the inputs, with the kernels as they are set
// now, against its bound (bound + per_kappa·κ(x) for compositions).
template <class T>
void check_accuracy(const Case& c) {
  const std::vector<T> x = inputs<T>(c);
  std::vector<T> y(x.size());
  vm::apply(c.fn, x.data(), y.data(), static_cast<std::int64_t>(x.size()), c.params);
  const double bound = sizeof(T) == 4 ? c.bound32 : c.bound64;
  double worst = 0, worst_kappa = 0, worst_over = 0;  // worst_over: error / allowed
  T worst_at = 0, over_at = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const long double want = c.exact(static_cast<long double>(x[i]));
    const double e = ulp_error<T>(y[i], want);
    const double u = std::numeric_limits<T>::epsilon() / 2;
    if (c.abs_units > 0 && std::isfinite(want) &&
        std::fabs(y[i] - want) <= c.abs_units * std::max(1.0, std::fabs(double(x[i]))) * u) {
      continue;
    }
    if (e <= bound) {
      if (e > worst) worst = e, worst_at = x[i], worst_kappa = 0;
      continue;
    }
    const double kappa = c.per_kappa > 0 ? condition(c, x[i]) : 0;
    const double over = e / (bound + c.per_kappa * kappa);
    if (over > worst_over) worst_over = over, over_at = x[i];
    if (e > worst) worst = e, worst_at = x[i], worst_kappa = kappa;
  }
  const std::string what = std::string(c.name) + (sizeof(T) == 4 ? " float32" : " float64") + " (" +
                           std::string(vm::kernels()) + ")";
  INFO(what << ": worst " << worst << " ulp at x = " << worst_at << " (kappa " << worst_kappa
            << "), bound " << bound << " + " << c.per_kappa << " kappa; worst error/bound "
            << worst_over << " at x = " << over_at);
  CHECK(worst_over <= 1);
  MESSAGE(what << ": worst " << worst << " ulp at x = " << worst_at << " (kappa " << worst_kappa
               << ")");
}

}  // namespace

TEST_CASE("vmath: every kernel within its ulp bound, on 10^7 points per function and dtype") {
  for (const bool portable : {false, true}) {
    vm::force_kernels(portable ? "sse2" : "", portable);
    for (const Case& c : cases()) {
      check_accuracy<float>(c);
      check_accuracy<double>(c);
    }
  }
  vm::force_kernels("", false);
}

TEST_CASE("vmath: the long double reference agrees with MPFR (sample)") {
  // The reference is glibc's long double libm; on a sample of each
  // function's inputs it must be within 1e-3 ulp of float64 of MPFR's
  // correctly rounded value at 128 bits, so the errors above are the kernels'.
  mpfr_t a, r;
  mpfr_init2(a, 128);
  mpfr_init2(r, 128);
  std::mt19937_64 rng(7);
  const auto mp = [&](int (*f)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t), long double x) {
    mpfr_set_ld(a, x, MPFR_RNDN);
    f(r, a, MPFR_RNDN);
    return mpfr_get_ld(r, MPFR_RNDN);
  };
  struct Ref {
    const char* name;
    int (*f)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t);
    long double (*mine)(long double);
    double low, high;
  };
  const Ref refs[] = {{"exp", mpfr_exp, [](long double x) { return std::exp(x); }, -700, 700},
                      {"log", mpfr_log, [](long double x) { return std::log(x); }, 1e-300, 1e300},
                      {"tanh", mpfr_tanh, [](long double x) { return std::tanh(x); }, -20, 20},
                      {"sin", mpfr_sin, [](long double x) { return std::sin(x); }, -1e4, 1e4},
                      {"erf", mpfr_erf, [](long double x) { return std::erf(x); }, -6, 6},
                      {"expm1", mpfr_expm1, [](long double x) { return std::expm1(x); }, -50, 50}};
  for (const Ref& ref : refs) {
    std::uniform_real_distribution<double> uniform(ref.low, ref.high);
    double worst = 0;
    for (int i = 0; i < 100'000; ++i) {
      const double x = uniform(rng);
      const long double exact = mp(ref.f, x), mine = ref.mine(x);
      int e = 0;
      std::frexp(static_cast<double>(std::fabs(exact)), &e);
      const long double ulp = std::ldexp(1.0L, e - 53);  // of float64 at the value
      worst = std::max(worst, static_cast<double>(std::fabs(mine - exact) / ulp));
    }
    CAPTURE(ref.name);
    CHECK(worst <= 1e-3);
  }
  mpfr_clear(a);
  mpfr_clear(r);
}

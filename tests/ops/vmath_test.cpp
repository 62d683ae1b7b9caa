// SPDX-License-Identifier: MIT
// The elementwise kernels' bits (ops/vmath.hpp): the same at every width of
// one set (FMA: AVX2 and AVX-512; portable: SSE2, AVX2 and AVX-512 without
// FMA), whatever the split of the array (threads, tails); and the ops that
// use them (exp, pow's fast paths, GELU's fused backward). Accuracy against
// a correctly rounded reference: vmath_accuracy_test.cpp.
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "autograd/ops/vmath.hpp"
#include "check.hpp"

namespace vm = ag::detail::vmath;

namespace {

constexpr vm::Fn kAll[] = {vm::Fn::exp,
                           vm::Fn::log,
                           vm::Fn::log1p,
                           vm::Fn::expm1,
                           vm::Fn::tanh,
                           vm::Fn::sin,
                           vm::Fn::cos,
                           vm::Fn::erf,
                           vm::Fn::sqrt,
                           vm::Fn::rsqrt,
                           vm::Fn::sigmoid,
                           vm::Fn::softplus,
                           vm::Fn::logsigmoid,
                           vm::Fn::gelu,
                           vm::Fn::gelu_tanh,
                           vm::Fn::gelu_grad,
                           vm::Fn::gelu_tanh_grad,
                           vm::Fn::softplus_grad,
                           vm::Fn::pow};

template <class T>
std::vector<T> samples() {
  using L = std::numeric_limits<T>;
  std::vector<T> x = {T(0),     T(-0.0),         L::infinity(), -L::infinity(), L::quiet_NaN(),
                      L::min(), L::denorm_min(), L::max(),      -L::max(),      T(1),
                      T(-1),    T(88.7),         T(709.7)};
  std::mt19937_64 rng(11);
  std::normal_distribution<double> normal(0, 4);
  std::uniform_real_distribution<double> wide(-800, 800);
  while (x.size() < 100'003) x.push_back(static_cast<T>(x.size() % 3 ? normal(rng) : wide(rng)));
  return x;
}

template <class T>
std::vector<T> run(vm::Fn f, const std::vector<T>& x, std::size_t chunk) {
  std::vector<T> y(x.size());
  for (std::size_t i = 0; i < x.size(); i += chunk) {
    const std::size_t n = std::min(chunk, x.size() - i);
    vm::apply(f, x.data() + i, y.data() + i, static_cast<std::int64_t>(n), {2.5, 20});
  }
  return y;
}

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

// The widths this CPU can run (force_kernels refuses the others).
std::vector<std::string> widths() {
  std::vector<std::string> out;
  for (const char* w : {"sse2", "avx2", "avx512"}) {
    try {
      vm::force_kernels(w, true);
      out.emplace_back(w);
    } catch (const ag::ValueError&) {
    }
  }
  vm::force_kernels("", false);
  return out;
}

template <class T>
void check_widths_agree() {
  const std::vector<T> x = samples<T>();
  const std::vector<std::string> have = widths();
  for (const vm::Fn f : kAll) {
    CAPTURE(static_cast<int>(f));
    for (const bool portable : {true, false}) {
      std::vector<T> first;
      std::string first_width;
      for (const std::string& w : have) {
        if (!portable && w == "sse2") continue;  // the FMA set starts at AVX2
        vm::force_kernels(w, portable);
        CAPTURE(w);
        CAPTURE(portable);
        const std::vector<T> y = run(f, x, x.size());
        CHECK(same_bits(y, run(f, x, 7)));  // tails and splits change nothing
        if (first.empty()) {
          first = y;
          first_width = w;
        } else {
          CAPTURE(first_width);
          CHECK(same_bits(y, first));
        }
      }
    }
  }
  vm::force_kernels("", false);
}

// A tensor's values, bit for bit, in its own dtype.
bool same_values(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  const std::size_t bytes = static_cast<std::size_t>(a.numel()) * dtype_size(a.dtype());
  return a.dtype() == DType::float32 ? std::memcmp(a.data<float>(), b.data<float>(), bytes) == 0
                                     : std::memcmp(a.data<double>(), b.data<double>(), bytes) == 0;
}

// The kernel applied to x's elements directly.
Tensor map_values(const Tensor& x, vm::Fn f, vm::Params p = {}) {
  Tensor out = empty_like(x);
  if (x.dtype() == DType::float32) {
    vm::apply(f, x.data<float>(), out.data<float>(), x.numel(), p);
  } else {
    vm::apply(f, x.data<double>(), out.data<double>(), x.numel(), p);
  }
  return out;
}

}  // namespace

TEST_CASE("vmath: one set gives the same bits at every width and split") {
  INFO("kernels here: " << std::string(vm::kernels()));
  check_widths_agree<float>();
  check_widths_agree<double>();
}

TEST_CASE("vmath: AG_VMATH's choice and force_kernels' errors") {
  const std::string chosen(vm::kernels());
  CHECK((chosen == "avx512" || chosen == "avx2" || chosen == "sse2-portable" ||
         chosen.ends_with("-portable")));
  vm::force_kernels("sse2", false);  // SSE2 has no FMA set: portable
  CHECK(vm::kernels() == "sse2-portable");
  vm::force_kernels("", false);
  CHECK(std::string(vm::kernels()) == chosen);
}

TEST_CASE("vmath: the ops run the kernels, pow's whole and half exponents exactly") {
  Generator gen(5);
  for (const DType dtype : {DType::float32, DType::float64}) {
    const Tensor x = randn({3, 1001}, gen, dtype);
    const Tensor pos = abs(x) + 0.1;
    CHECK(same_values(exp(x), map_values(x, vm::Fn::exp)));
    CHECK(same_values(tanh(x), map_values(x, vm::Fn::tanh)));
    CHECK(same_values(gelu(x, true), map_values(x, vm::Fn::gelu_tanh)));
    CHECK(same_values(pow(x, 2.0), x * x));
    CHECK(same_values(pow(x, 3.0), x * x * x));
    CHECK(same_values(pow(x, -1.0), 1.0 / x));
    CHECK(same_values(pow(pos, 0.5), sqrt(pos)));
    CHECK(same_values(pow(pos, 2.5), map_values(pos, vm::Fn::pow, {2.5, 0})));
    // pow's gradient at a whole exponent: c·x^(c-1), by the same fast path.
    const Tensor leaf = x.detach().requires_grad_();
    sum(pow(leaf, 3.0)).backward();
    CHECK(same_values(leaf.grad(), 3.0 * (x * x)));
  }
}

TEST_CASE("vmath: GELU's fused backward equals its recorded formula") {
  Generator gen(6);
  for (const bool approx : {false, true}) {
    const Tensor x = randn({4, 257}, gen, DType::float64).requires_grad_();
    const Tensor fused = grad({sum(gelu(x, approx))}, {x})[0];
    const Tensor recorded = grad({sum(gelu(x, approx))}, {x}, {}, /*create_graph=*/true)[0];
    CHECK(max(abs(fused - recorded.detach())).item<double>() < 1e-14);
  }
}

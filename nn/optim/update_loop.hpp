// SPDX-License-Identifier: MIT
// What the optimizers' update loops share (internal to nn/optim/, not
// installed): the walk over every parameter with a gradient (each_param),
// lazily created state (slot), and the elementwise loop every dense update
// runs (update_elements): options turned into compile-time flags, split over
// the library's threads, at the widest vector width the CPU has.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <vector>

#include "autograd/nn/optim/optimizer.hpp"
#include "autograd/ops.hpp"
#include "autograd/parallel.hpp"

namespace ag::optim::detail {

// Typed pointer to a tensor's buffer, as T.
template <class T>
T* buf(const Tensor& t) {
  return const_cast<Tensor&>(t).data<T>();
}

// Calls f(flags...) with each runtime bool turned into std::bool_constant, so
// that update loops test their options with `if constexpr`: no branch is left
// in the loop, and it vectorises. (Vector sqrt and division round exactly as
// the scalar ones do: the results do not change.)
template <class F>
void with_flags(F&& f) {
  f();
}
template <class F, class... Rest>
void with_flags(F&& f, bool first, Rest... rest) {
  if (first) {
    with_flags([&](auto... flags) { f(std::true_type{}, flags...); }, rest...);
  } else {
    with_flags([&](auto... flags) { f(std::false_type{}, flags...); }, rest...);
  }
}

// Calls kernel(args...) with the kernel's loops compiled for AVX-512 where
// the running CPU (and OS) has it, as built (SSE2) elsewhere. The kernel's
// operator() must be always_inline, so that it is vectorised inside the
// AVX-512 copy. Results are the same bit for bit either way: the project
// builds with -ffp-contract=off (no fused multiply-adds), and vector sqrt
// and division round exactly as scalar ones. An update reads and writes
// 28 bytes a parameter (Adam); at SSE width the loop, not memory, was the
// limit (Adam on 535,818 parameters: 0.60 ms, 0.50 ms at AVX-512).
#if defined(__x86_64__) && defined(__GNUC__)
template <class Kernel, class... Args>
[[gnu::target("avx512f,avx512vl,avx512bw,avx512dq")]] void run_avx512(Kernel kernel, Args... args) {
  kernel(args...);
}
inline bool cpu_has_avx512() {
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
                          __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
  return has;
}
#endif
// Set by tests to run the baseline copy on any CPU (its bits must match);
// process-wide, so that the library's workers see it too.
inline std::atomic<bool> baseline_width_only{false};
template <class Kernel, class... Args>
void run_widest(Kernel kernel, Args... args) {
#if defined(__x86_64__) && defined(__GNUC__)
  if (cpu_has_avx512() && !baseline_width_only.load(std::memory_order_relaxed))
    return run_avx512(kernel, args...);
#endif
  kernel(args...);
}

// An update written as an inline loop, loop(first, last) over elements
// [first, last), split over the library's threads (ag::set_num_threads) when
// there are many, each slice run by run_widest (two cores move Adam's 28
// bytes a parameter faster than one, docs/performance.md): the
// lambda must be marked AG_UPDATE_LOOP (always_inline), so that it is
// vectorised inside the AVX-512 copy. Every optimizer's update is
// elementwise, so its bits depend neither on the split nor on the width
// (both tested). Capture the buffers by value ([=]): through a by-reference
// capture GCC loses their __restrict and stops vectorising (RMSprop 4x,
// Adadelta 3.8x slower).
constexpr std::int64_t kUpdateGrain = 1 << 15;  // elements a slice at least: ~50 us of Adam
#define AG_UPDATE_LOOP __attribute__((always_inline))
template <class Loop>
void split_update(std::int64_t n, const Loop& loop) {
  parallel_for(n, kUpdateGrain,
               [&](std::int64_t first, std::int64_t last) { run_widest(loop, first, last); });
}

// The loop of every dense update: loop(k, flags...) for each element k in
// [0, n), each runtime bool in `flags` passed as std::bool_constant (so the
// loop tests its options with `if constexpr` and has no branch left), split
// and widened by split_update. `loop` must be marked AG_UPDATE_LOOP and
// capture its buffers by value, as split_update's loops must.
//
//     update_elements(n, [=](std::int64_t k, auto decays) AG_UPDATE_LOOP {
//       T g = g0[k];
//       if constexpr (decays) g += decay * w[k];
//       w[k] -= lr * g;
//     }, o.weight_decay != 0);
template <class Loop, class... Flags>
void update_elements(std::int64_t n, const Loop& loop, Flags... flags) {
  with_flags(
      [&](auto... on) {
        split_update(n, [=](std::int64_t first, std::int64_t last) AG_UPDATE_LOOP {
          for (std::int64_t k = first; k < last; ++k) loop(k, on...);
        });
      },
      flags...);
}

// One element's gradient, with L2 decay when Decays, and Adam's two moments
// updated with it: the start of Adam's, NAdam's and RAdam's updates.
template <bool Decays, class T>
[[gnu::always_inline]] inline T decayed_moments(T g, T w, T decay, T& m, T& v, T beta1,
                                                T one_minus_beta1, T beta2, T one_minus_beta2) {
  if constexpr (Decays) g += decay * w;
  m = m * beta1 + g * one_minus_beta1;
  v = v * beta2 + g * g * one_minus_beta2;
  return g;
}

// A state tensor, created as zeros (or `init`) like the parameter.
inline Tensor& slot(ParamState& s, const char* name, const Tensor& like, double init = 0.0) {
  auto it = s.tensors.find(name);
  if (it == s.tensors.end())
    it = s.tensors.emplace(name, full(like.shape(), init, like.dtype())).first;
  return it->second;
}

// Calls body(options, param, state, w, g) for every parameter with a dense
// gradient: w and g are the parameter's and the gradient's buffers (the
// negated gradient's with `maximize`), typed in the parameter's dtype. Each
// group's settings are checked first.
template <class Group, class Body>
void each_param(std::vector<Group>& groups, std::string_view name, Body body) {
  for (auto& group : groups) group.options.validate();
  for (auto& group : groups) {
    for (std::size_t i = 0; i < group.params.size(); ++i) {
      const Tensor& p = group.params[i];
      const Tensor g = p.grad();
      if (!g.defined()) {
        if (p.sparse_grad().defined()) {
          ag::detail::fail<ValueError>(
              "optimizer: parameter {} of group has a sparse gradient; use SparseAdam for "
              "sparse embeddings",
              i);
        }
        continue;
      }
      // maximize: the update rules run on -g (as PyTorch)
      Tensor used = g;
      if constexpr (requires { group.options.maximize; }) {
        if (group.options.maximize) {
          NoGradGuard plain;
          used = -g;
        }
      }
      ag::detail::visit_floating(p.dtype(), name, [&](auto zero) {
        using T = decltype(zero);
        body(group.options, p, group.state[i], buf<T>(p), static_cast<const T*>(buf<T>(used)));
      });
      p.mark_modified();
    }
  }
}

}  // namespace ag::optim::detail

// SPDX-License-Identifier: MIT
// What the optimizers' update loops share (internal to nn/, not installed):
// typed buffers, options turned into compile-time flags, lazily created
// state, and the walk over every parameter with a gradient.
#pragma once

#include <string_view>
#include <type_traits>
#include <vector>

#include "autograd/nn/optim.hpp"
#include "autograd/ops.hpp"

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
  for (auto& group : groups) validate(group.options);
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

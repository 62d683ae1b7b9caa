// SPDX-License-Identifier: MIT
// The elementwise ops of bench/elementwise.cpp and its LibTorch twin, in one
// list so both time the same things: a name, the op (found by argument-
// dependent lookup where both libraries spell it alike, through Ns where
// they differ: logsigmoid, gelu) and whether its input must be positive.
#pragma once

#include <string_view>

namespace bench {

/// Calls visit(name, op, positive) for each op; op(x) computes it.
template <class Ns, class Visit>
void for_each_elementwise(Visit&& visit) {
  visit(
      "exp", [](const auto& x) { return exp(x); }, false);
  visit(
      "log", [](const auto& x) { return log(x); }, true);
  visit(
      "log1p", [](const auto& x) { return log1p(x); }, true);
  visit(
      "expm1", [](const auto& x) { return expm1(x); }, false);
  visit(
      "tanh", [](const auto& x) { return tanh(x); }, false);
  visit(
      "sigmoid", [](const auto& x) { return sigmoid(x); }, false);
  visit(
      "softplus", [](const auto& x) { return softplus(x); }, false);
  visit(
      "logsigmoid", [](const auto& x) { return Ns::logsigmoid(x); }, false);
  visit(
      "erf", [](const auto& x) { return erf(x); }, false);
  visit(
      "gelu", [](const auto& x) { return Ns::gelu(x, false); }, false);
  visit(
      "gelu-tanh", [](const auto& x) { return Ns::gelu(x, true); }, false);
  visit(
      "sin", [](const auto& x) { return sin(x); }, false);
  visit(
      "cos", [](const auto& x) { return cos(x); }, false);
  visit(
      "sqrt", [](const auto& x) { return sqrt(x); }, true);
  visit(
      "rsqrt", [](const auto& x) { return rsqrt(x); }, true);
  visit(
      "pow2", [](const auto& x) { return pow(x, 2.0); }, false);
  visit(
      "pow3", [](const auto& x) { return pow(x, 3.0); }, false);
  visit(
      "pow-1", [](const auto& x) { return pow(x, -1.0); }, true);
  visit(
      "pow0.5", [](const auto& x) { return pow(x, 0.5); }, true);
  visit(
      "pow2.5", [](const auto& x) { return pow(x, 2.5); }, true);
}

/// The two shapes: (32, 16, 256), a GPT block's activations, and (1024, 1024).
struct ElementwiseShape {
  std::string_view tag;
  long d0, d1, d2;
  int reps;  // per timed run: enough for a few milliseconds
};
inline constexpr ElementwiseShape kElementwiseShapes[] = {{"s", 32, 16, 256, 40},
                                                          {"l", 1, 1024, 1024, 5}};

}  // namespace bench

// SPDX-License-Identifier: MIT
// The lecture's worked examples as functions, shared by the `lecture`
// program and the tests that pin its numbers.
#pragma once

#include <array>
#include <vector>

#include "autograd/autograd.hpp"

namespace lecture {

using Vec2 = std::array<double, 2>;
using Mat2 = std::array<Vec2, 2>;

/// A single unit: z = x·w + b, a = σ(z).
struct Unit {
  ag::Scalar z, a;
};
Unit single_unit(const std::vector<double>& x, const std::vector<double>& w, double b);

/// f(x) = (x^2 + 1)^2 and its closed-form derivative 2(x^2+1)·2x.
ag::Scalar square_of_square_plus_one(const ag::Scalar& x);
double square_of_square_plus_one_derivative(double x);

/// f(x) = ln(a x); df/dx = 1/x, whatever a.
ag::Scalar log_of_scaled(const ag::Scalar& x, double a);

/// softmax(z)_i = exp(z_i) / Σ_j exp(z_j), with max(z) subtracted first so
/// that large logits do not overflow (the result is the same).
std::vector<ag::Scalar> softmax(const std::vector<ag::Scalar>& z);

/// The 2-2-1 network: 2 inputs, 2 sigmoid hidden units, 1 sigmoid output, no
/// biases. W[i][j] = w_ij connects input j to hidden unit i.
struct Net221 {
  std::array<std::array<ag::Scalar, 2>, 2> W;
  std::array<ag::Scalar, 2> u;
  Net221(const Mat2& W, const Vec2& u);
  void zero_grad();
  /// u_i <- u_i - lr dL/du_i, w_ij <- w_ij - lr dL/dw_ij.
  void sgd_step(double lr);
};

/// One forward pass: z = W·x, a = σ(z), v = u·a, c = σ(v),
/// L(c, y) = -y ln c - (1-y) ln(1-c).
struct Pass221 {
  std::array<ag::Scalar, 2> z, a;
  ag::Scalar v, c, L;
};
Pass221 forward(const Net221& net, const Vec2& x, double y);

/// The lecture's closed forms: dL/du_i = (c-y) a_i and
/// dL/dw_ij = (c-y) u_i a_i (1-a_i) x_j, from the pass's values.
struct Grads221 {
  Vec2 du;
  Mat2 dW;
};
Grads221 closed_form_grads(const Net221& net, const Pass221& pass, const Vec2& x, double y);

}  // namespace lecture

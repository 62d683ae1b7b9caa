// SPDX-License-Identifier: MIT
#include "lecture.hpp"

#include <fmt/format.h>
#include <algorithm>

namespace lecture {

Unit single_unit(const std::vector<double>& x, const std::vector<double>& w, double b) {
  ag::Scalar z = ag::Scalar(b, "b");
  for (std::size_t j = 0; j < x.size(); ++j) {
    z = z + ag::Scalar(w[j], fmt::format("w{}", j + 1)) * x[j];
  }
  z.label("z");
  return {z, z.sigmoid().label("a")};
}

ag::Scalar square_of_square_plus_one(const ag::Scalar& x) { return (x.pow(2) + 1.0).pow(2); }

double square_of_square_plus_one_derivative(double x) { return 2.0 * (x * x + 1.0) * 2.0 * x; }

ag::Scalar log_of_scaled(const ag::Scalar& x, double a) { return (a * x).log(); }

std::vector<ag::Scalar> softmax(const std::vector<ag::Scalar>& z) {
  double shift = z.empty() ? 0.0 : z[0].value();
  for (const auto& zi : z) shift = std::max(shift, zi.value());
  std::vector<ag::Scalar> e;
  ag::Scalar total = 0.0;
  for (const auto& zi : z) {
    e.push_back((zi - shift).exp());
    total = total + e.back();
  }
  std::vector<ag::Scalar> y;
  for (const auto& ei : e) y.push_back(ei / total);
  return y;
}

Net221::Net221(const Mat2& W0, const Vec2& u0) {
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 2; ++j) W[i][j] = ag::Scalar(W0[i][j], fmt::format("w{}{}", i + 1, j + 1));
    u[i] = ag::Scalar(u0[i], fmt::format("u{}", i + 1));
  }
}

void Net221::zero_grad() {
  for (auto& row : W)
    for (auto& w : row) w.set_grad(0.0);
  for (auto& ui : u) ui.set_grad(0.0);
}

void Net221::sgd_step(double lr) {
  for (auto& row : W)
    for (auto& w : row) w.set_value(w.value() - lr * w.grad());
  for (auto& ui : u) ui.set_value(ui.value() - lr * ui.grad());
}

Pass221 forward(const Net221& net, const Vec2& x, double y) {
  const ag::Scalar x1(x[0], "x1"), x2(x[1], "x2");
  Pass221 p;
  for (int i = 0; i < 2; ++i) {
    p.z[i] = (net.W[i][0] * x1 + net.W[i][1] * x2).label(fmt::format("z{}", i + 1));
    p.a[i] = p.z[i].sigmoid().label(fmt::format("a{}", i + 1));
  }
  p.v = (net.u[0] * p.a[0] + net.u[1] * p.a[1]).label("v");
  p.c = p.v.sigmoid().label("c");
  p.L = (-(y * p.c.log()) - (1.0 - y) * (1.0 - p.c).log()).label("L");
  return p;
}

Grads221 closed_form_grads(const Net221& net, const Pass221& pass, const Vec2& x, double y) {
  const double c = pass.c.value();
  Grads221 g{};
  for (int i = 0; i < 2; ++i) {
    const double a = pass.a[i].value();
    g.du[i] = (c - y) * a;
    for (int j = 0; j < 2; ++j) g.dW[i][j] = (c - y) * net.u[i].value() * a * (1.0 - a) * x[j];
  }
  return g;
}

}  // namespace lecture

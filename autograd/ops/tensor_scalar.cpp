// SPDX-License-Identifier: MIT
// A tensor with a Scalar on either side: the Scalar node joins the graph as
// in[1], and gets the gradient summed over the tensor (a plain number).
#include "autograd/ops/tensor_op.hpp"
#include "autograd/scalar.hpp"

namespace ag {
using namespace detail;

namespace {
const char* const kTensorScalar[] = {"tensor", "scalar"};

// a + s: d/da = 1, d/ds = Σ g
void add_scalar_vjp(TensorNode& n, const Tensor& g) {
  accumulate_input(n, 0, g);
  as_scalar(n.in[1])->grad += sum(g).item();
}
const Op add_scalar_op{"add_scalar", "+ s",   &tensor_kind, run_backward<add_scalar_vjp>,
                       nullptr,      nullptr, kSavesNothing};
}  // namespace
Tensor operator+(const Tensor& a, const Scalar& s) {
  const double c = s.value();
  Tensor out = map("add", a, [c](auto x) { return x + decltype(x)(c); });
  record(out, add_scalar_op, {a.node(), s.node()});
  return out;
}
Tensor operator+(const Scalar& s, const Tensor& a) { return a + s; }
Tensor operator-(const Tensor& a, const Scalar& s) { return a + (-s); }

namespace {
// s - a: d/da = -1, d/ds = Σ g
void rsub_scalar_vjp(TensorNode& n, const Tensor& g) {
  accumulate_input(n, 0, -g);
  as_scalar(n.in[1])->grad += sum(g).item();
}
const Op rsub_scalar_op{"rsub_scalar", "s -",         &tensor_kind, run_backward<rsub_scalar_vjp>,
                        nullptr,       kTensorScalar, kSavesNothing};
}  // namespace
Tensor operator-(const Scalar& s, const Tensor& a) {
  const double c = s.value();
  Tensor out = map("rsub", a, [c](auto x) { return decltype(x)(c) - x; });
  record(out, rsub_scalar_op, {a.node(), s.node()});
  return out;
}

namespace {
// a * s: d/da = s, d/ds = Σ g·a
void mul_scalar_vjp(TensorNode& n, const Tensor& g) {
  accumulate_input(n, 0, g * as_scalar(n.in[1])->value());
  as_scalar(n.in[1])->grad += sum(g * input(n, 0)).item();
}
const Op mul_scalar_op{"mul_scalar", "* s", &tensor_kind, run_backward<mul_scalar_vjp>};
}  // namespace
Tensor operator*(const Tensor& a, const Scalar& s) {
  const double c = s.value();
  Tensor out = map("mul", a, [c](auto x) { return x * decltype(x)(c); });
  record(out, mul_scalar_op, {a.node(), s.node()});
  return out;
}
Tensor operator*(const Scalar& s, const Tensor& a) { return a * s; }
Tensor operator/(const Tensor& a, const Scalar& s) { return a * (1.0 / s); }

}  // namespace ag

// Elementwise arithmetic with broadcasting: tensor∘tensor, tensor∘constant,
// tensor∘Scalar, and tensor powers. Gradients are summed back to each
// input's shape by sum_to.
#include <cmath>

#include "autograd/ops/kernels.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag {
namespace detail {
namespace {

DType same_float_dtype(const Tensor& a, const Tensor& b, std::string_view op) {
  if (a.dtype() != b.dtype()) {
    fail<DTypeError>("{}: dtypes differ ({} {} and {} {}); convert one with to()", op, a.dtype(),
                     a.shape(), b.dtype(), b.shape());
  }
  visit_floating(a.dtype(), op, [](auto) {});
  return a.dtype();
}

// out = f(a, b) with broadcasting, unrecorded.
template <class F>
Tensor map2(std::string_view op, const Tensor& a, const Tensor& b, F f) {
  const DType dtype = same_float_dtype(a, b, op);
  Tensor out = empty_tensor(broadcast_shapes(a.shape(), b.shape(), op), dtype, op);
  visit_floating(dtype, op, [&](auto zero) {
    using T = decltype(zero);
    binary_map(a.data<T>(), a.shape(), b.data<T>(), b.shape(), out.data<T>(), out.shape(),
               [&](T x, T y) { return static_cast<T>(f(x, y)); });
  });
  return out;
}

// out = f(x, c) elementwise, unrecorded.
template <class F>
Tensor map1(std::string_view op, const Tensor& x, double c, F f) {
  Tensor out = empty_tensor(x.shape(), x.dtype(), op);
  visit_floating(x.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.data<T>();
    T* o = out.data<T>();
    const T k = static_cast<T>(c);
    for (std::int64_t i = 0, n = x.numel(); i < n; ++i) o[i] = static_cast<T>(f(in[i], k));
  });
  return out;
}

// a + b: d/da = 1, d/db = 1
void add_vjp(Node& n, const Tensor& g) {
  accumulate_input(n, 0, sum_to(g, input_node(n, 0).shape));
  accumulate_input(n, 1, sum_to(g, input_node(n, 1).shape));
}
const Op add_op{"add", "+", &tensor_kind, run_backward<add_vjp>};

// a - b: d/da = 1, d/db = -1
void sub_vjp(Node& n, const Tensor& g) {
  accumulate_input(n, 0, sum_to(g, input_node(n, 0).shape));
  if (input_wants_grad(n, 1)) accumulate_input(n, 1, sum_to(-g, input_node(n, 1).shape));
}
const Op sub_op{"sub", "-", &tensor_kind, run_backward<sub_vjp>};

// a * b: d/da = b, d/db = a
void mul_vjp(Node& n, const Tensor& g) {
  accumulate_product(n, 1, g, input(n, 0));
  accumulate_product(n, 0, g, input(n, 1), /*last_use_of_g=*/true);
}
const Op mul_op{"mul", "*", &tensor_kind, run_backward<mul_vjp>};

// a / b: d/da = 1/b, d/db = -a/b²
void div_vjp(Node& n, const Tensor& g) {
  const Tensor b = input(n, 1);
  if (input_wants_grad(n, 0)) accumulate_input(n, 0, sum_to(g / b, input_node(n, 0).shape));
  if (input_wants_grad(n, 1)) {
    accumulate_input(n, 1, sum_to(-g * input(n, 0) / (b * b), input_node(n, 1).shape));
  }
}
const Op div_op{"div", "/", &tensor_kind, run_backward<div_vjp>};

// -a: d/da = -1
void neg_vjp(Node& n, const Tensor& g) { accumulate_input(n, 0, -g); }
const Op neg_op{"neg", "neg", &tensor_kind, run_backward<neg_vjp>};

// a + c, c - a, a * c, a / c, c / a with a constant c kept in node.real
void add_const_vjp(Node& n, const Tensor& g) { accumulate_input(n, 0, g); }
const Op add_const_op{"add_const", "+ {:g}", &tensor_kind, run_backward<add_const_vjp>};
void rsub_const_vjp(Node& n, const Tensor& g) { accumulate_input(n, 0, -g); }
const Op rsub_const_op{"rsub_const", "{:g} -", &tensor_kind, run_backward<rsub_const_vjp>};
void mul_const_vjp(Node& n, const Tensor& g) { accumulate_input(n, 0, g * as_tensor(n).real); }
const Op mul_const_op{"mul_const", "* {:g}", &tensor_kind, run_backward<mul_const_vjp>};
void div_const_vjp(Node& n, const Tensor& g) { accumulate_input(n, 0, g / as_tensor(n).real); }
const Op div_const_op{"div_const", "/ {:g}", &tensor_kind, run_backward<div_const_vjp>};
// c / a: d/da = -c/a²
void rdiv_const_vjp(Node& n, const Tensor& g) {
  const Tensor a = input(n, 0);
  accumulate_input(n, 0, -g * as_tensor(n).real / (a * a));
}
const Op rdiv_const_op{"rdiv_const", "{:g} /", &tensor_kind, run_backward<rdiv_const_vjp>};

// a ∘ s with s a Scalar node (in[1]): its gradient is a plain number.
void add_scalar_vjp(Node& n, const Tensor& g) {
  accumulate_input(n, 0, g);
  as_scalar(n.in[1])->grad += sum(g).item();
}
const Op add_scalar_op{"add_scalar", "+ s", &tensor_kind, run_backward<add_scalar_vjp>};
void rsub_scalar_vjp(Node& n, const Tensor& g) {
  accumulate_input(n, 0, -g);
  as_scalar(n.in[1])->grad += sum(g).item();
}
const Op rsub_scalar_op{"rsub_scalar", "s -", &tensor_kind, run_backward<rsub_scalar_vjp>};
void mul_scalar_vjp(Node& n, const Tensor& g) {
  const double s = as_scalar(n.in[1])->value;
  accumulate_input(n, 0, g * s);
  as_scalar(n.in[1])->grad += sum(g * input(n, 0)).item();
}
const Op mul_scalar_op{"mul_scalar", "* s", &tensor_kind, run_backward<mul_scalar_vjp>};

// a^b: d/da = b a^(b-1), d/db = a^b ln a (0 where a = 0, as PyTorch)
void pow_tensor_vjp(Node& n, const Tensor& g) {
  const Tensor a = input(n, 0), b = input(n, 1);
  if (input_wants_grad(n, 0)) {
    accumulate_input(n, 0, sum_to(g * b * pow(a, b - 1.0), a.shape()));
  }
  if (input_wants_grad(n, 1)) {
    const Tensor a_safe = where(eq(a, zeros({}, a.dtype())), ones({}, a.dtype()), a);
    accumulate_input(n, 1, sum_to(g * pow(a, b) * log(a_safe), b.shape()));
  }
}
const Op pow_tensor_op{"pow", "pow", &tensor_kind, run_backward<pow_tensor_vjp>};

Tensor recorded(Tensor out, const Op& op, std::initializer_list<Node*> inputs, double real = 0) {
  if (record(out, op, inputs)) as_tensor(out.node())->real = real;
  return out;
}

}  // namespace
}  // namespace detail

using detail::map1;
using detail::map2;
using detail::recorded;

Tensor operator+(const Tensor& a, const Tensor& b) {
  return recorded(map2("add", a, b, [](auto x, auto y) { return x + y; }), detail::add_op,
                  {a.node(), b.node()});
}
Tensor operator-(const Tensor& a, const Tensor& b) {
  return recorded(map2("sub", a, b, [](auto x, auto y) { return x - y; }), detail::sub_op,
                  {a.node(), b.node()});
}
Tensor operator*(const Tensor& a, const Tensor& b) {
  return recorded(map2("mul", a, b, [](auto x, auto y) { return x * y; }), detail::mul_op,
                  {a.node(), b.node()});
}
Tensor operator/(const Tensor& a, const Tensor& b) {
  return recorded(map2("div", a, b, [](auto x, auto y) { return x / y; }), detail::div_op,
                  {a.node(), b.node()});
}
Tensor operator-(const Tensor& a) {
  return recorded(map1("neg", a, 0, [](auto x, auto) { return -x; }), detail::neg_op, {a.node()});
}
Tensor pow(const Tensor& a, const Tensor& b) {
  return recorded(map2("pow", a, b, [](auto x, auto y) { return std::pow(x, y); }),
                  detail::pow_tensor_op, {a.node(), b.node()});
}

Tensor operator+(const Tensor& a, double c) {
  return recorded(map1("add", a, c, [](auto x, auto k) { return x + k; }), detail::add_const_op,
                  {a.node()}, c);
}
Tensor operator+(double c, const Tensor& a) { return a + c; }
Tensor operator-(const Tensor& a, double c) {
  return recorded(map1("sub", a, c, [](auto x, auto k) { return x - k; }), detail::add_const_op,
                  {a.node()}, -c);
}
Tensor operator-(double c, const Tensor& a) {
  return recorded(map1("rsub", a, c, [](auto x, auto k) { return k - x; }), detail::rsub_const_op,
                  {a.node()}, c);
}
Tensor operator*(const Tensor& a, double c) {
  return recorded(map1("mul", a, c, [](auto x, auto k) { return x * k; }), detail::mul_const_op,
                  {a.node()}, c);
}
Tensor operator*(double c, const Tensor& a) { return a * c; }
Tensor operator/(const Tensor& a, double c) {
  return recorded(map1("div", a, c, [](auto x, auto k) { return x / k; }), detail::div_const_op,
                  {a.node()}, c);
}
Tensor operator/(double c, const Tensor& a) {
  return recorded(map1("rdiv", a, c, [](auto x, auto k) { return k / x; }), detail::rdiv_const_op,
                  {a.node()}, c);
}

Tensor operator+(const Tensor& a, const Scalar& s) {
  const double c = s.value();
  return recorded(map1("add", a, c, [](auto x, auto k) { return x + k; }), detail::add_scalar_op,
                  {a.node(), s.node()});
}
Tensor operator+(const Scalar& s, const Tensor& a) { return a + s; }
Tensor operator-(const Tensor& a, const Scalar& s) { return a + (-s); }
Tensor operator-(const Scalar& s, const Tensor& a) {
  const double c = s.value();
  return recorded(map1("rsub", a, c, [](auto x, auto k) { return k - x; }), detail::rsub_scalar_op,
                  {a.node(), s.node()});
}
Tensor operator*(const Tensor& a, const Scalar& s) {
  const double c = s.value();
  return recorded(map1("mul", a, c, [](auto x, auto k) { return x * k; }), detail::mul_scalar_op,
                  {a.node(), s.node()});
}
Tensor operator*(const Scalar& s, const Tensor& a) { return a * s; }
Tensor operator/(const Tensor& a, const Scalar& s) { return a * (1.0 / s); }

}  // namespace ag

// SPDX-License-Identifier: MIT
// Tensor ops of ops/convert.cpp against central differences (gradcheck, float64)
// and their documented behaviour.
#include "check.hpp"

TEST_CASE("convert: conversions between dtypes, and gradients through them") {
  const Tensor x = Tensor::from({1.5, -2.0}).requires_grad_();
  const Tensor y = x.to(DType::float32);
  CHECK(y.dtype() == DType::float32);
  sum(y * 2.0).backward();
  CHECK(x.grad().dtype() == DType::float64);
  CHECK(x.grad().to_vector() == std::vector<double>{2, 2});
  CHECK(x.to(DType::int64).to_vector() == std::vector<double>{1, -2});
  CHECK_THROWS_AS(index_tensor({1}).requires_grad_(), DTypeError);
}

TEST_CASE("convert: scalars and tensors in one graph, one backward") {
  Scalar s(2.0, "s");
  const Tensor w = Tensor::from({1.0, -1.0, 0.5}).requires_grad_();
  const Tensor scaled = w * s + s;              // d/ds = Σ w + 3
  Scalar total = sum(scaled).to_scalar();       // a tensor result becomes a Scalar
  Scalar loss = (total * total).label("loss");  // d/dtotal = 2 total
  loss.backward();
  const double t = (1.0 - 1.0 + 0.5) * 2.0 + 3 * 2.0;
  CHECK(total.value() == doctest::Approx(t));
  CHECK(s.grad() == doctest::Approx(2 * t * (0.5 + 3)));
  CHECK(w.grad().to_vector() == std::vector<double>{2 * t * 2, 2 * t * 2, 2 * t * 2});
  CHECK_THROWS_AS(ones({2}).to_scalar(), ShapeError);
}

TEST_CASE("convert: to_scalar() against finite differences") {
  check_first_order([](const Args& x) { return x[1] * (x[0].to_scalar() * x[0].to_scalar()); },
                    {input({1}), input({2, 2})});
}

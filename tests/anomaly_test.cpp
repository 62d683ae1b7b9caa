// SPDX-License-Identifier: MIT
// AnomalyMode: the op where a NaN or infinity first appears, named.
#include <doctest/doctest.h>

#include <cmath>

#include "autograd/autograd.hpp"

using namespace ag;

TEST_CASE("without the guard, NaN and infinity pass silently, as in PyTorch") {
  CHECK_FALSE(is_anomaly_enabled());
  const Tensor x = Tensor::from({0.0, 1.0}).requires_grad_();
  CHECK(std::isinf(log(x).at({0})));
  CHECK(std::isinf(Scalar(0.0).log().value()));
}

TEST_CASE("forward anomalies are caught at the op that made them") {
  AnomalyMode guard;
  const Tensor x = Tensor::from({0.0, 1.0}).requires_grad_().label("x");
  const Tensor h = x * 2.0;                     // fine
  CHECK_THROWS_AS(log(h - 0.0), AnomalyError);  // log(0)
  CHECK_THROWS_WITH(log(h), doctest::Contains("'log'"));
  CHECK_THROWS_WITH(log(h), doctest::Contains("float64 [2]"));
  const Tensor zero = zeros({2}, DType::float64);
  CHECK_THROWS_WITH(zero / zero, doctest::Contains("'div'"));      // 0/0
  CHECK_THROWS_WITH(exp(x * 1000.0), doctest::Contains("'exp'"));  // overflow
  {
    NoGradGuard no_grad;  // still checked: the guard watches every op
    CHECK_THROWS_AS(sqrt(x - 1.0), AnomalyError);
  }
  Scalar s(0.0, "s");
  CHECK_THROWS_WITH(s.log(), doctest::Contains("'log' (op #"));
  CHECK_THROWS_WITH(s / 0.0, doctest::Contains("'div_const'"));
}

TEST_CASE("backward anomalies name the op whose backward produced them") {
  AnomalyMode guard;
  // sqrt(0) = 0 is fine forward; its derivative 1/(2·0) is not.
  const Tensor x = Tensor::from({0.0, 4.0}).requires_grad_();
  const Tensor y = sum(sqrt(x));
  CHECK_THROWS_AS(y.backward(), AnomalyError);
  const Tensor x2 = Tensor::from({0.0, 4.0}).requires_grad_();
  CHECK_THROWS_WITH(sum(sqrt(x2)).backward(),
                    doctest::Contains("the backward of 'sqrt' produced NaN or infinity"));
  Scalar a(0.0);
  Scalar r = a.abs().pow(0.5);  // |a|^0.5: derivative 0.5·0^-0.5 = inf
  CHECK_THROWS_WITH(r.backward(), doctest::Contains("backward of 'pow'"));
}

TEST_CASE("the guard restores the previous mode") {
  {
    AnomalyMode outer;
    {
      AnomalyMode inner;
      CHECK(is_anomaly_enabled());
    }
    CHECK(is_anomaly_enabled());
  }
  CHECK_FALSE(is_anomaly_enabled());
}

// SPDX-License-Identifier: MIT
// Tensor ops of ops/compare.cpp against central differences (gradcheck, float64)
// and their documented behaviour.
#include "check.hpp"

TEST_CASE("compare: where and masked_fill against finite differences") {
  const Tensor a = input({2, 3, 4});
  check([](const Args& x) { return where(gt(x[0], 0.0), x[0] * x[1], x[1]); },
        {input({3, 4}), input({4})});
  check([](const Args& x) { return masked_fill(x[0], lt(x[0], 0.0), 3.0); }, {a});
}

TEST_CASE("compare: comparisons give bool masks and take no gradient") {
  const Tensor a = Tensor::from({1.0, 2.0, 3.0}).requires_grad_();
  const Tensor b = Tensor::from({2.0});
  CHECK(lt(a, b).dtype() == DType::boolean);
  CHECK(lt(a, b).to_vector() == std::vector<double>{1, 0, 0});
  CHECK(ge(a, b).to_vector() == std::vector<double>{0, 1, 1});
  CHECK(eq(a, b).to_vector() == std::vector<double>{0, 1, 0});
  CHECK_FALSE(ne(a, b).requires_grad());
  CHECK_THROWS_AS(where(a, a, a), DTypeError);
}

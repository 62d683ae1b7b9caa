// Tensor ops of ops/reduce.cpp against central differences (gradcheck, float64)
// and their documented behaviour.
#include "check.hpp"

TEST_CASE("reduce: reductions") {
  const Tensor a = input({3, 4, 2});
  check([](const Args& x) { return sum(x[0]); }, {a});
  check([](const Args& x) { return sum(x[0], {1}); }, {a});
  check([](const Args& x) { return sum(x[0], {0, 2}, true); }, {a});
  check([](const Args& x) { return mean(x[0], {-1}); }, {a});
  check([](const Args& x) { return max(x[0]); }, {a});
  check([](const Args& x) { return min(x[0]); }, {a});
  check([](const Args& x) { return max(x[0], 1).values; }, {a});
  check([](const Args& x) { return min(x[0], 0, true).values; }, {a});
  check([](const Args& x) { return amax(x[0], {0, 1}); }, {a});
  check([](const Args& x) { return logsumexp(x[0], {1}); }, {a});
  check([](const Args& x) { return softmax(x[0], -1); }, {a});
  check([](const Args& x) { return log_softmax(x[0], 1); }, {a});
  check([](const Args& x) { return broadcast_to(x[0], {5, 3, 4, 2}); }, {a});
}

TEST_CASE("reduce: max along a dim: first index wins ties; indices are int64") {
  const Tensor x = Tensor::from({{1.0, 3.0, 3.0}, {2.0, 0.0, 2.0}}).requires_grad_();
  auto [values, indices] = max(x, 1);
  CHECK(indices.dtype() == DType::int64);
  CHECK(indices.to_vector() == std::vector<double>{1, 0});
  sum(values).backward();
  CHECK(x.grad().to_vector() == std::vector<double>{0, 1, 0, 1, 0, 0});
  const Tensor y = Tensor::from({1.0, 3.0, 3.0}).requires_grad_();
  max(y).backward();  // the full reduction splits ties
  CHECK(y.grad().to_vector() == std::vector<double>{0, 0.5, 0.5});
}

TEST_CASE("reduce: the lecture's softmax with tensors") {
  const Tensor y = softmax(Tensor::from({2.0, -1.99, -0.01}), 0);
  const double expected[] = {0.868, 0.016, 0.116};
  for (int i = 0; i < 3; ++i) CHECK(std::round(y.at({i}) * 1000) / 1000 == expected[i]);
  const Tensor big = softmax(Tensor::from({1000.0, -1000.0, 999.0}), 0);
  for (double v : big.to_vector()) CHECK(std::isfinite(v));
  CHECK(std::isfinite(logsumexp(Tensor::from({1000.0, 1000.0}), {0}).item()));
}

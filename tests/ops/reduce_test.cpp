// SPDX-License-Identifier: MIT
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

namespace {
// |got - want| within a few float32 roundings of a float64 reference.
void check_float32_sum(const Tensor& got32, const Tensor& want64) {
  REQUIRE(got32.dtype() == DType::float32);
  const auto got = got32.to_vector(), want = want64.to_vector();
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CHECK(std::fabs(got[i] - want[i]) <= 2e-7 * std::fabs(want[i]) + 1e-6);
  }
}
}  // namespace

TEST_CASE("reduce: float32 sums are as exact as float32 allows, at 1e5 to 1e7 elements") {
  // 0.1f added up naively in float gave 100958 for a million of them.
  for (std::int64_t n : {100'000, 1'000'000, 10'000'000}) {
    CAPTURE(n);
    const Tensor tenths = full({n}, 0.1);
    check_float32_sum(sum(tenths), sum(tenths.to(DType::float64)));
    check_float32_sum(mean(tenths), mean(tenths.to(DType::float64)));
  }
  Generator g(3);
  const Tensor x = rand({4'000'000}, g, DType::float32, 0, 1);
  check_float32_sum(sum(x), sum(x.to(DType::float64)));
  // Columns, rows, a middle dim, and a pattern without a kernel of its own.
  const Tensor m = rand({2000, 300}, g, DType::float32, -1, 3), m64 = m.to(DType::float64);
  check_float32_sum(sum(m, {0}), sum(m64, {0}));
  check_float32_sum(sum(m, {1}, true), sum(m64, {1}, true));
  const Tensor c = reshape(m, {20, 100, 300}), c64 = c.to(DType::float64);
  check_float32_sum(sum(c, {1}), sum(c64, {1}));
  check_float32_sum(sum(c, {0, 2}), sum(c64, {0, 2}));
  check_float32_sum(mean(c, {0, 1}), mean(c64, {0, 1}));
  // A mean over a large float32 batch, as a mean-reduced loss takes it.
  const Tensor logits = rand({200000, 10}, g, DType::float32, -3, 3);
  check_float32_sum(mean(logsumexp(logits, {1})), mean(logsumexp(logits.to(DType::float64), {1})));
  CHECK(sum(zeros({0, 3}), {0}).to_vector() == std::vector<double>{0, 0, 0});
}

TEST_CASE("reduce: amin, argmax, argmin and one dims convention") {
  const Tensor a = input({3, 4, 2});
  check([](const Args& x) { return amin(x[0], {0, 2}); }, {a});
  check([](const Args& x) { return amin(x[0]); }, {a});
  const Tensor x = Tensor::from({{1.0, 5.0, 5.0}, {7.0, 0.0, 0.0}});
  CHECK(argmax(x).item() == 3);
  CHECK(argmin(x).item() == 4);  // the first of tied minima
  CHECK(argmax(x, 1).to_vector() == std::vector<double>{1, 0});
  CHECK(argmin(x, 0, true).shape() == Shape{1, 3});
  CHECK(argmax(x, 1).dtype() == DType::int64);
  // sum(x, 1), sum(x, -1), sum(x, {0, 1}) and sum(x, std::vector) agree
  CHECK(sum(x, 1).to_vector() == sum(x, {1}).to_vector());
  CHECK(sum(x, -1).to_vector() == sum(x, std::vector<std::int64_t>{1}).to_vector());
  CHECK(sum(x, {0, 1}).item() == 18.0);
  CHECK(mean(x, 0).to_vector() == std::vector<double>{4, 2.5, 2.5});
  CHECK_THROWS_AS(argmax(x, 2), ShapeError);
}

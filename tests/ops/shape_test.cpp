// Tensor ops of ops/shape.cpp against central differences (gradcheck, float64)
// and their documented behaviour.
#include "check.hpp"

TEST_CASE("shape: every op against finite differences") {
  const Tensor a = input({2, 3, 4});
  check([](const Args& x) { return reshape(x[0], {4, -1}); }, {a});
  check([](const Args& x) { return transpose(x[0], 0, 2); }, {a});
  check([](const Args& x) { return permute(x[0], {1, 2, 0}); }, {a});
  check([](const Args& x) { return unsqueeze(squeeze(unsqueeze(x[0], 1)), -1); }, {a});
  check([](const Args& x) { return cat({x[0], x[1], x[0]}, 1); }, {a, input({2, 2, 4})});
  check([](const Args& x) { return stack({x[0], x[1]}, 3); }, {a, input({2, 3, 4})});
  check([](const Args& x) { return slice(x[0], 2, 1, 4, 2); }, {a});
  check([](const Args& x) { return slice(x[0], -2, -2, 100); }, {a});
  check([](const Args& x) { return select(x[0], 1, -1); }, {a});
}

TEST_CASE("shape: cat records when only a later input requires a gradient") {
  const Tensor a = ones({2}, DType::float64), b = ones({2}, DType::float64);
  const Tensor c = input({3});
  const Tensor joined = cat({a, b, c});
  CHECK(joined.requires_grad());
  sum(joined * 2.0).backward();
  CHECK(c.grad().to_vector() == std::vector<double>{2, 2, 2});
}

TEST_CASE("shape: reshape is a view; assign writes through it") {
  const Tensor a = zeros({2, 2}, DType::float64);
  Tensor flat = reshape(a, {4});
  flat.assign(Tensor::from({1.0, 2.0, 3.0, 4.0}));
  CHECK(a.at({1, 0}) == 3.0);
  CHECK_THROWS_AS(flat.assign(ones({3}, DType::float64)), ShapeError);
  CHECK_THROWS_AS(flat.assign(ones({4})), DTypeError);
}

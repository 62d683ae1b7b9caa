// The Tensor type: factories, access, printing, the graph's lifetime and
// modes, scalars and tensors in one graph, and typed errors.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <thread>

#include "autograd/autograd.hpp"

using namespace ag;

TEST_CASE("factories give the values and dtypes asked for") {
  CHECK(zeros({2, 3}).dtype() == DType::float32);
  CHECK(zeros({2, 3}).to_vector() == std::vector<double>(6, 0.0));
  CHECK(ones({2}, DType::float64).to_vector() == std::vector<double>{1, 1});
  CHECK(full({}, 2.5).item() == 2.5);
  CHECK(full({}, 2.5).shape().empty());
  CHECK(arange(1, 3, 0.5, DType::float64).to_vector() == std::vector<double>{1, 1.5, 2, 2.5});
  CHECK(arange(4).numel() == 4);
  CHECK(eye(3).at({1, 1}) == 1.0);
  CHECK(eye(3).at({1, 2}) == 0.0);
  const Tensor m = Tensor::from({{1.0, 2.0}, {3.0, 4.0}});
  CHECK(m.dtype() == DType::float64);
  CHECK(m.shape() == Shape{2, 2});
  CHECK(m.at({1, 0}) == 3.0);
  CHECK(m.at({-1, -1}) == 4.0);
  CHECK(Tensor::from({1.0f, 2.0f}).dtype() == DType::float32);
  const Tensor cube = Tensor::from({{{1.0, 2.0}}, {{3.0, 4.0}}});
  CHECK(cube.shape() == Shape{2, 1, 2});
  CHECK(Tensor::from(std::vector<double>{1, 2, 3, 4, 5, 6}, {3, 2}).at({2, 1}) == 6.0);
  CHECK_THROWS_AS(Tensor::from({{1.0, 2.0}, {3.0}}), ShapeError);
  CHECK_THROWS_AS(Tensor::from(std::vector<double>{1, 2, 3}, {2, 2}), ShapeError);
}

TEST_CASE("random tensors are reproducible from a seed") {
  Generator a(123), b(123), c(124);
  const auto x = randn({100}, a, DType::float64).to_vector();
  CHECK(x == randn({100}, b, DType::float64).to_vector());
  CHECK(x != randn({100}, c, DType::float64).to_vector());
  double mean = 0, var = 0;
  Generator g(5);
  const auto big = randn({20000}, g, DType::float64).to_vector();
  for (double v : big) mean += v / big.size();
  for (double v : big) var += (v - mean) * (v - mean) / big.size();
  CHECK(std::fabs(mean) < 0.03);
  CHECK(std::fabs(var - 1) < 0.05);
  const auto u = rand({1000}, g, DType::float32, -1, 1).to_vector();
  CHECK(*std::min_element(u.begin(), u.end()) >= -1);
  CHECK(*std::max_element(u.begin(), u.end()) < 1);
}

TEST_CASE("printing shows values, shape and dtype, and elides large tensors") {
  CHECK(fmt::format("{}", Tensor::from({{1.0, 2.0}, {3.0, 4.0}})) ==
        "tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]], shape=[2, 2], dtype=float64)");
  CHECK(fmt::format("{}", index_tensor({3, 1})) == "tensor([3, 1], shape=[2], dtype=int64)");
  CHECK(fmt::format("{}", full({}, 1.5).requires_grad_()) ==
        "tensor(1.5000, shape=[], dtype=float32, requires_grad)");
  const std::string big = fmt::format("{}", arange(5000));
  CHECK(big.find("...") != std::string::npos);
  CHECK(big.size() < 200);
  CHECK(fmt::format("{}", Tensor()) == "tensor(undefined)");
}

TEST_CASE("conversions between dtypes, and gradients through them") {
  const Tensor x = Tensor::from({1.5, -2.0}).requires_grad_();
  const Tensor y = x.to(DType::float32);
  CHECK(y.dtype() == DType::float32);
  sum(y * 2.0).backward();
  CHECK(x.grad().dtype() == DType::float64);
  CHECK(x.grad().to_vector() == std::vector<double>{2, 2});
  CHECK(x.to(DType::int64).to_vector() == std::vector<double>{1, -2});
  CHECK_THROWS_AS(index_tensor({1}).requires_grad_(), DTypeError);
}

TEST_CASE("requires_grad propagates; NoGradGuard and detach cut the graph") {
  const Tensor w = ones({2}).requires_grad_();
  const Tensor c = ones({2});
  CHECK((w * c).requires_grad());
  CHECK_FALSE((c * c).requires_grad());
  CHECK((c * c).is_leaf());
  {
    NoGradGuard guard;
    CHECK_FALSE(is_grad_enabled());
    const Tensor y = w * 2.0;
    CHECK_FALSE(y.requires_grad());
    CHECK(y.is_leaf());
  }
  CHECK(is_grad_enabled());
  const Tensor d = (w * 3.0).detach();
  CHECK_FALSE(d.requires_grad());
  CHECK(d.to_vector() == std::vector<double>{3, 3});
  CHECK_THROWS_AS((w * 3.0).requires_grad_(), GraphError);
  // the mode is per thread
  bool other_thread_enabled = false;
  {
    NoGradGuard guard;
    std::thread([&] { other_thread_enabled = is_grad_enabled(); }).join();
  }
  CHECK(other_thread_enabled);
}

TEST_CASE("leaf gradients accumulate; zero_grad clears them") {
  const Tensor w = Tensor::from({1.0, 2.0}).requires_grad_();
  sum(w * w).backward();
  sum(w * 3.0).backward();
  CHECK(w.grad().to_vector() == std::vector<double>{2 + 3, 4 + 3});
  w.zero_grad();
  CHECK_FALSE(w.grad().defined());
}

TEST_CASE("the graph is freed by backward unless retain_graph") {
  const Tensor w = Tensor::from({1.0, 2.0}).requires_grad_();
  const Tensor loss = sum(exp(w) * w);
  loss.backward();
  CHECK_THROWS_AS(loss.backward(), GraphError);
  CHECK_THROWS_WITH(loss.backward(), doctest::Contains("retain_graph"));
  const Tensor kept = sum(exp(w) * w);
  w.zero_grad();
  kept.backward(Tensor(), /*retain_graph=*/true);
  const auto once = w.grad().to_vector();
  kept.backward();
  const auto twice = w.grad().to_vector();
  CHECK(twice[0] == doctest::Approx(2 * once[0]));
  CHECK(twice[1] == doctest::Approx(2 * once[1]));
}

TEST_CASE("backward from a non-scalar root needs grad_output of its shape") {
  const Tensor w = Tensor::from({1.0, 2.0, 3.0}).requires_grad_();
  const Tensor y = w * w;
  CHECK_THROWS_AS(y.backward(), GraphError);
  CHECK_THROWS_WITH(y.backward(), doctest::Contains("shape [3]"));
  CHECK_THROWS_AS(y.backward(ones({2}, DType::float64)), ShapeError);
  y.backward(Tensor::from({1.0, 0.0, 2.0}));
  CHECK(w.grad().to_vector() == std::vector<double>{2, 0, 12});
  CHECK_THROWS_AS(ones({1}).backward(), GraphError);  // requires no gradient
}

TEST_CASE("scalars and tensors in one graph, one backward") {
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

TEST_CASE("errors name the op and the shapes") {
  const Tensor a = ones({2, 3}), b = ones({4});
  CHECK_THROWS_AS(a + b, ShapeError);
  CHECK_THROWS_WITH(a + b, "add: shapes [2, 3] and [4] cannot be broadcast together");
  CHECK_THROWS_AS(a + ones({2, 3}, DType::float64), DTypeError);
  CHECK_THROWS_WITH(a * ones({3}, DType::float64), doctest::Contains("mul: dtypes differ"));
  CHECK_THROWS_AS(sum(a, {2}), ShapeError);
  CHECK_THROWS_WITH(sum(a, {2}), "sum: dim 2 is out of range for a 2-d tensor (expected [-2, 1])");
  CHECK_THROWS_AS(index_select(a, 1, index_tensor({3})), IndexError);
  CHECK_THROWS_WITH(index_select(a, 1, index_tensor({3})),
                    "index_select: index 3 is out of range for a dim of size 3");
  CHECK_THROWS_AS(matmul(a, ones({2, 3})), ShapeError);
  CHECK_THROWS_WITH(matmul(a, ones({2, 3})),
                    "matmul: inner dimensions differ (3 vs 2) for shapes [2, 3] and [2, 3]");
  CHECK_THROWS_AS(reshape(a, {4, 2}), ShapeError);
  CHECK_THROWS_AS(a.at({2, 0}), IndexError);
  CHECK_THROWS_AS(a.item(), ShapeError);
  CHECK_THROWS_AS(zeros({-1, 2}), ShapeError);
  CHECK_THROWS_AS(zeros({1 << 30, 1 << 30, 1 << 30}), ShapeError);
  CHECK_THROWS_AS(exp(index_tensor({1})), DTypeError);
  CHECK_THROWS_AS(Tensor().shape(), GraphError);
  CHECK_THROWS_AS(transpose(a, 0, 3), ShapeError);
  CHECK_THROWS_AS(cat({a, ones({3, 2})}, 0), ShapeError);
  CHECK_THROWS_AS(where(a, a, a), DTypeError);
  CHECK_THROWS_AS(zeros({1, 1, 1, 1, 1, 1, 1, 1, 1}), ShapeError);  // 9 dims: at most 8
  CHECK_THROWS_WITH(reshape(a, {1, 1, 1, 1, 1, 1, 1, 1, 6}), doctest::Contains("at most 8"));
}

TEST_CASE("reshape is a view; assign writes through it") {
  const Tensor a = zeros({2, 2}, DType::float64);
  Tensor flat = reshape(a, {4});
  flat.assign(Tensor::from({1.0, 2.0, 3.0, 4.0}));
  CHECK(a.at({1, 0}) == 3.0);
  CHECK_THROWS_AS(flat.assign(ones({3}, DType::float64)), ShapeError);
  CHECK_THROWS_AS(flat.assign(ones({4})), DTypeError);
}

TEST_CASE("the lecture's softmax with tensors") {
  const Tensor y = softmax(Tensor::from({2.0, -1.99, -0.01}), 0);
  const double expected[] = {0.868, 0.016, 0.116};
  for (int i = 0; i < 3; ++i) CHECK(std::round(y.at({i}) * 1000) / 1000 == expected[i]);
  const Tensor big = softmax(Tensor::from({1000.0, -1000.0, 999.0}), 0);
  for (double v : big.to_vector()) CHECK(std::isfinite(v));
  CHECK(std::isfinite(logsumexp(Tensor::from({1000.0, 1000.0}), {0}).item()));
}

TEST_CASE("max along a dim: first index wins ties; indices are int64") {
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

TEST_CASE("set_num_threads is the one thread setting") {
  const int before = get_num_threads();
  set_num_threads(1);
  CHECK(get_num_threads() == 1);
  CHECK_THROWS_AS(set_num_threads(0), ValueError);
  set_num_threads(before);
}

TEST_CASE("large buffers are recycled through the cache, small ones are not") {
  ag::release_cached_buffers();
  const void* first = nullptr;
  {
    const Tensor big = ag::zeros({256, 256});  // 256 KiB
    first = big.data<float>();
    CHECK(reinterpret_cast<std::uintptr_t>(first) % 64 == 0);
  }
  CHECK(ag::cached_buffer_bytes() == 256 * 256 * 4);
  const Tensor again = ag::ones({128, 512});  // same byte count: the same buffer
  CHECK(again.data<float>() == first);
  CHECK(ag::cached_buffer_bytes() == 0);
  CHECK(ag::sum(again).item() == 128 * 512);  // written in full, no stale values
  { const Tensor small = ag::zeros({4, 4}); }
  CHECK(ag::cached_buffer_bytes() == 0);
  { const Tensor other = ag::zeros({1000, 100}); }
  CHECK(ag::release_cached_buffers() == (400'000 + 4095) / 4096 * 4096);
  CHECK(ag::cached_buffer_bytes() == 0);
}

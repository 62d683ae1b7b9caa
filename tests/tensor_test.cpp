// SPDX-License-Identifier: MIT
// The Tensor type: factories, access, printing, the graph's lifetime and
// modes, scalars and tensors in one graph, and typed errors.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <sstream>
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

TEST_CASE("integer literals make int64 tensors; one default dtype for factories and layers") {
  const Tensor i = Tensor::from({1, 2, 3});
  CHECK(i.dtype() == DType::int64);
  CHECK(i.to_vector() == std::vector<double>{1, 2, 3});
  CHECK(Tensor::from({{1, 2}, {3, 4}}).dtype() == DType::int64);
  CHECK(Tensor::from({true, false}).dtype() == DType::boolean);
  CHECK(Tensor::from({1.0, 2.0}, DType::float32).dtype() == DType::float32);
  CHECK(default_dtype() == DType::float32);
  set_default_dtype(DType::float64);
  CHECK(zeros({2}).dtype() == DType::float64);
  CHECK(randn({2}).dtype() == DType::float64);
  std::thread([] { CHECK(default_dtype() == DType::float32); }).join();  // per thread
  set_default_dtype(DType::float32);
  CHECK(ones({2}).dtype() == DType::float32);
  CHECK_THROWS_AS(set_default_dtype(DType::int64), DTypeError);
}

TEST_CASE("sampling: randint, randperm, multinomial, shuffle, the default generator") {
  Generator g(11);
  const Tensor r = randint(-3, 4, {2000}, g);
  CHECK(r.dtype() == DType::int64);
  std::vector<int> seen(7, 0);
  for (double v : r.to_vector()) {
    REQUIRE(v >= -3);
    REQUIRE(v < 4);
    ++seen[static_cast<int>(v) + 3];
  }
  for (int count : seen) CHECK(count > 200);  // 2000/7 = 286 expected each
  CHECK_THROWS_AS(randint(2, 2, {1}, g), ValueError);
  std::vector<double> perm = randperm(50, g).to_vector();
  std::sort(perm.begin(), perm.end());
  for (int k = 0; k < 50; ++k) CHECK(perm[k] == k);
  Generator a(3), b(3);
  CHECK(randperm(20, a).to_vector() == randperm(20, b).to_vector());
  std::vector<int> items{1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<int> again = items;
  Generator s1(9), s2(9);
  shuffle(items, s1);
  shuffle(again, s2);
  CHECK(items == again);
  // multinomial: frequencies follow the weights; without replacement no repeats
  const Tensor w = Tensor::from({0.1, 0.0, 0.6, 0.3});
  std::vector<int> hits(4, 0);
  for (double v : multinomial(w, 4000, true, g).to_vector()) ++hits[static_cast<int>(v)];
  CHECK(hits[1] == 0);
  CHECK(std::abs(hits[2] - 2400) < 150);
  CHECK(std::abs(hits[0] - 400) < 100);
  const Tensor rows = multinomial(Tensor::from({{1.0, 1.0, 1.0}, {0.0, 2.0, 1.0}}), 2, false, g);
  CHECK(rows.shape() == Shape{2, 2});
  CHECK(rows.at({0, 0}) != rows.at({0, 1}));
  CHECK(rows.at({1, 0}) != 0.0);
  CHECK_THROWS_AS(multinomial(w, 4, false, g), ValueError);  // only 3 nonzero weights
  CHECK_THROWS_AS(multinomial(Tensor::from({1.0, -1.0}), 1, true, g), ValueError);
  CHECK_THROWS_AS(multinomial(Tensor::from({0.0, 0.0}), 1, true, g), ValueError);
  // without a generator: the thread's default one, reseedable
  manual_seed(5);
  const auto first = rand({4}).to_vector();
  manual_seed(5);
  CHECK(rand({4}).to_vector() == first);
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
  CHECK(exp(index_tensor({1})).dtype() == default_dtype());  // integers promote, as PyTorch's
  CHECK_THROWS_AS(Tensor().shape(), GraphError);
  CHECK_THROWS_AS(transpose(a, 0, 3), ShapeError);
  CHECK_THROWS_AS(cat({a, ones({3, 2})}, 0), ShapeError);
  CHECK_THROWS_AS(where(a, a, a), DTypeError);
  CHECK_THROWS_AS(zeros({1, 1, 1, 1, 1, 1, 1, 1, 1}), ShapeError);  // 9 dims: at most 8
  CHECK_THROWS_WITH(reshape(a, {1, 1, 1, 1, 1, 1, 1, 1, 6}), doctest::Contains("at most 8"));
}

TEST_CASE("large buffers are recycled through the cache, small ones are not") {
  ag::release_cached_buffers();
  const void* first = nullptr;
  {
    const Tensor big = ag::zeros({256, 256});  // 256 KiB
    first = big.data<float>();
    CHECK(reinterpret_cast<std::uintptr_t>(first) % 64 == 0);
  }
  CHECK(ag::cached_buffer_bytes() == (256 * 256 * 4 + 64 + 4095) / 4096 * 4096);  // + header
  const Tensor again = ag::ones({128, 512});  // same byte count: the same buffer
  CHECK(again.data<float>() == first);
  CHECK(ag::cached_buffer_bytes() == 0);
  CHECK(ag::sum(again).item() == 128 * 512);  // written in full, no stale values
  { const Tensor small = ag::zeros({4, 4}); }
  CHECK(ag::cached_buffer_bytes() == 0);
  { const Tensor other = ag::zeros({1000, 100}); }
  CHECK(ag::release_cached_buffers() == (400'000 + 64 + 4095) / 4096 * 4096);
  CHECK(ag::cached_buffer_bytes() == 0);
}

// ThreadSanitizer does not support threads started after a multi-threaded fork.
#if !defined(__SANITIZE_THREAD__)
TEST_CASE("a child forked while another thread uses the buffer cache can allocate") {
  // Made first here: a fork while another thread makes a function's static
  // leaves the child waiting on its guard (C++, not this library).
  ag::release_cached_buffers();
  std::atomic<bool> stop{false};
  std::thread churn([&] {  // takes and returns a cached buffer, over and over
    while (!stop.load(std::memory_order_relaxed)) const Tensor t = ag::empty({128, 128});
  });
  int failed = 0;
  for (int i = 0; i < 40; ++i) {
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {  // no doctest in here: report by exit status only
      alarm(10);       // a child waiting on a lock no thread of its own holds is killed
      const Tensor big = ag::ones({256, 256});
      _exit(ag::sum(big).item() == 256 * 256 ? 0 : 1);
    }
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    failed += !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  stop = true;
  churn.join();
  CHECK(failed == 0);
}
#endif

TEST_CASE("float32 and float64 paths agree") {
  Generator gen(3);
  const Tensor a64 = rand({3, 5}, gen, DType::float64, -2, 2).requires_grad_();
  const Tensor b64 = rand({5, 2}, gen, DType::float64, -2, 2).requires_grad_();
  const Tensor a32 = a64.detach().to(DType::float32).requires_grad_();
  const Tensor b32 = b64.detach().to(DType::float32).requires_grad_();
  const Tensor l64 = sum(log_softmax(tanh(matmul(a64, b64)), 1) * 0.5);
  const Tensor l32 = sum(log_softmax(tanh(matmul(a32, b32)), 1) * 0.5);
  CHECK(l32.dtype() == DType::float32);
  CHECK(l32.item() == doctest::Approx(l64.item()).epsilon(1e-5));
  l64.backward();
  l32.backward();
  const auto g64 = a64.grad().to_vector(), g32 = a32.grad().to_vector();
  for (std::size_t i = 0; i < g64.size(); ++i)
    CHECK(g32[i] == doctest::Approx(g64[i]).epsilon(1e-4));
}

TEST_CASE("tensor: a value written in place after an op used it is refused at backward") {
  // y = Σ w·w needs w's old value; writing w before backward gave 10, not 2.
  const Tensor w = full({1}, 1.0, DType::float64).requires_grad_();
  const Tensor y = sum(w * w);
  CHECK(w.version() == 0);
  {
    NoGradGuard no_grad;
    Tensor(w).assign(full({1}, 5.0, DType::float64));
  }
  CHECK(w.version() == 1);
  CHECK_THROWS_AS(y.backward(), GraphError);
  CHECK_THROWS_WITH(y.backward(), doctest::Contains("'mul' needs the value of its input 0"));
  // An op that reads nothing of its input is not affected (as PyTorch).
  const Tensor z = sum(w + 1.0);
  Tensor(w).assign(full({1}, 2.0, DType::float64));
  z.backward();
  CHECK(w.grad().to_vector() == std::vector<double>{1});
  // Views share the counter; an output an op reads is checked too.
  const Tensor x = Tensor::from({0.5, 1.0}).requires_grad_();
  const Tensor e = exp(x);
  const Tensor loss = sum(e);
  Tensor view = reshape(e.detach(), {2, 1});
  view.mark_modified();
  CHECK(e.version() == 1);
  CHECK_THROWS_WITH(loss.backward(), doctest::Contains("'exp' needs the value of its output"));
}

TEST_CASE("tensor: methods mirror the free functions; std::ostream prints like fmt") {
  const Tensor x = Tensor::from({{1.0, -2.0, 3.0}, {4.0, 5.0, -6.0}});
  CHECK(x.sum().item() == 5.0);
  CHECK(x.sum(1).to_vector() == sum(x, 1).to_vector());
  CHECK(x.mean({0, 1}).item() == doctest::Approx(5.0 / 6));
  CHECK(x.t().shape() == Shape{3, 2});
  CHECK(x.reshape({3, 2}).view({6}).shape() == Shape{6});
  CHECK(x.argmax(1).to_vector() == std::vector<double>{2, 1});
  CHECK(x.abs().max().item() == 6.0);
  CHECK(x.max(0).indices.to_vector() == std::vector<double>{1, 1, 0});
  CHECK(x.exp().log().to_vector()[1] == doctest::Approx(-2.0));
  CHECK(x.pow(2.0).sum().item() == 91.0);
  CHECK(x.flatten().unsqueeze(0).shape() == Shape{1, 6});
  CHECK(x.softmax(1).sum(1).to_vector()[0] == doctest::Approx(1.0));
  CHECK(x.matmul(x.t()).shape() == Shape{2, 2});
  CHECK(x.sort(1).values.at({0, 0}) == -2.0);
  CHECK(x.chunk(2, 1).size() == 2);
  CHECK(Tensor::from({1.0}).t().shape() == Shape{1});
  const Tensor w = x.detach().requires_grad_();
  w.relu().sum().backward();
  CHECK(w.grad().to_vector() == std::vector<double>{1, 0, 1, 1, 1, 0});
  std::ostringstream out;
  out << Tensor::from({1.5, 2.0});
  CHECK(out.str() == fmt::format("{}", Tensor::from({1.5, 2.0})));
  std::ostringstream scalar;
  scalar << Scalar(0.5);
  CHECK(scalar.str() == "Scalar(value=0.5, grad=0)");
}

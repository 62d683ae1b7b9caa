// SPDX-License-Identifier: MIT
// ops/hooks.cpp and the engine's hook points (node.hpp, sweep.cpp): tensor
// gradient hooks and post-accumulate-grad hooks, as PyTorch's.
#include "check.hpp"

#include <stdexcept>

namespace {
Tensor leaf(std::initializer_list<double> values) {
  return Tensor::from(std::vector<double>(values), {static_cast<std::int64_t>(values.size())})
      .requires_grad_();
}
std::vector<double> values(const Tensor& t) { return t.to_vector(); }
}  // namespace

TEST_CASE("register_hook on a leaf sees this backward's gradient and replaces it") {
  Tensor w = leaf({1.0, 2.0});
  std::vector<std::vector<double>> seen;
  w.register_hook([&](const Tensor& g) {
    seen.push_back(values(g));
    return g * 2.0;
  });
  sum(w * 3.0).backward();
  CHECK(values(w.grad()) == std::vector<double>{6.0, 6.0});
  // A second backward: the hook sees 3, not the 9 accumulated so far.
  sum(w * 3.0).backward();
  REQUIRE(seen.size() == 2);
  CHECK(seen[1] == std::vector<double>{3.0, 3.0});
  CHECK(values(w.grad()) == std::vector<double>{12.0, 12.0});
}

TEST_CASE("a leaf's hook sees the sum of every use, once") {
  Tensor w = leaf({1.0});
  int calls = 0;
  double got = 0;
  w.register_hook([&](const Tensor& g) {
    ++calls;
    got = g.item();
  });                                     // returns nothing: only looks
  sum(w * 2.0 + w * w * 5.0).backward();  // 2 + 10 w
  CHECK(calls == 1);
  CHECK(got == 12.0);
  CHECK(w.grad().item() == 12.0);
}

TEST_CASE("register_hook on an interior tensor changes what flows to its inputs") {
  Tensor x = leaf({1.0, -1.0});
  Tensor y = x * 2.0;
  double seen = 0;
  y.register_hook([&](const Tensor& g) {
    seen = sum(g).item();  // both uses of y, added
    return g * 10.0;
  });
  sum(y + y * 3.0).backward();  // dL/dy = 4
  CHECK(seen == 8.0);
  CHECK(values(x.grad()) == std::vector<double>{80.0, 80.0});
}

TEST_CASE("hooks run in the order registered, and remove_hook takes one out") {
  Tensor w = leaf({2.0});
  const unsigned plus = w.register_hook([](const Tensor& g) { return g + 1.0; });
  w.register_hook([](const Tensor& g) { return g * 2.0; });
  (w * 1.0).sum().backward();
  CHECK(w.grad().item() == 4.0);  // (1 + 1) * 2
  w.zero_grad();
  w.remove_hook(plus);
  w.remove_hook(12345);  // unknown: ignored
  (w * 1.0).sum().backward();
  CHECK(w.grad().item() == 2.0);
}

TEST_CASE("a tensor whose hooks are all removed carries no entry in the hook table") {
  Tensor w = leaf({1.0});
  const unsigned id = w.register_hook([](const Tensor& g) { return g; });
  const unsigned post = w.register_post_accumulate_grad_hook([](const Tensor&) {});
  CHECK(detail::hooks_of(w.node()) != nullptr);
  w.remove_hook(id);
  CHECK(detail::hooks_of(w.node()) != nullptr);
  w.remove_hook(post);
  CHECK(detail::hooks_of(w.node()) == nullptr);
  CHECK((w.node()->flags & detail::Node::kHooked) == 0);
}

TEST_CASE("a hook that returns the wrong shape or dtype fails, and the gradient is put back") {
  Tensor w = leaf({1.0, 2.0});
  sum(w).backward();  // grad 1, 1
  const unsigned id = w.register_hook([](const Tensor& g) { return sum(g); });
  CHECK_THROWS_AS(sum(w * 5.0).backward(), ShapeError);
  CHECK(values(w.grad()) == std::vector<double>{1.0, 1.0});
  w.remove_hook(id);
  w.register_hook([](const Tensor& g) { return g.to(DType::float32); });
  CHECK_THROWS_AS(sum(w * 5.0).backward(), DTypeError);
  CHECK(values(w.grad()) == std::vector<double>{1.0, 1.0});
}

TEST_CASE("a sweep that throws puts a hooked leaf's gradient back, with what arrived, unhooked") {
  Tensor w = leaf({1.0});
  sum(w * 2.0).backward();  // grad 2
  w.register_hook([](const Tensor& g) { return g * 100.0; });
  // w has two consumers; y's hook throws before y's backward, so w is never
  // ready: its hook does not run. What reached it from w * 5 (if that ran
  // first) is kept, on top of the 2 set aside.
  Tensor y = w * 3.0;
  y.register_hook([](const Tensor&) -> Tensor { throw std::runtime_error("stop"); });
  CHECK_THROWS_AS(sum(y + w * 5.0).backward(), std::runtime_error);
  const double g = w.grad().item();
  CHECK((g == 2.0 || g == 7.0));
  // Nothing is left set aside: the next backward hooks 3 and adds it.
  w.zero_grad();
  sum(w * 3.0).backward();
  CHECK(w.grad().item() == 300.0);
}

TEST_CASE("hooks on a tensor that takes no gradient are refused") {
  Tensor x = Tensor::from({1.0, 2.0});
  CHECK_THROWS_AS(x.register_hook([](const Tensor& g) { return g; }), GraphError);
  Tensor w = leaf({1.0});
  Tensor y = w * 2.0;
  CHECK_THROWS_AS(y.register_post_accumulate_grad_hook([](const Tensor&) {}), GraphError);
}

TEST_CASE("register_post_accumulate_grad_hook runs once the leaf's gradient is final") {
  Tensor w = leaf({1.0, 1.0});
  Tensor b = leaf({0.0, 0.0});
  std::vector<double> at_hook;
  int calls = 0;
  w.register_post_accumulate_grad_hook([&](const Tensor& t) {
    ++calls;
    at_hook = values(t.grad());
  });
  sum(w * 2.0 + w * b + w * w).backward();  // 2 + b + 2 w = 4
  CHECK(calls == 1);
  CHECK(at_hook == std::vector<double>{4.0, 4.0});
  sum(w * 2.0).backward();  // accumulates: the hook sees grad() after it
  CHECK(calls == 2);
  CHECK(at_hook == std::vector<double>{6.0, 6.0});
}

TEST_CASE("under ag::grad a hook changes the returned gradient; grad() and post hooks untouched") {
  Tensor w = leaf({1.0});
  int posts = 0;
  w.register_hook([](const Tensor& g) { return g * 3.0; });
  w.register_post_accumulate_grad_hook([&](const Tensor&) { ++posts; });
  const std::vector<Tensor> g = ag::grad({sum(w * 2.0)}, {w});
  CHECK(g[0].item() == 6.0);
  CHECK(!w.grad().defined());
  CHECK(posts == 0);
  sum(w * 2.0).backward();  // and a plain backward still runs both
  CHECK(w.grad().item() == 6.0);
  CHECK(posts == 1);
}

TEST_CASE("a hook may register and remove hooks while it runs") {
  Tensor w = leaf({1.0});
  unsigned self = 0;
  int added_calls = 0;
  self = w.register_hook([&](const Tensor& g) {
    w.register_hook([&](const Tensor& h) {
      ++added_calls;
      return h;
    });
    w.remove_hook(self);
    return g * 2.0;
  });
  sum(w).backward();
  CHECK(w.grad().item() == 2.0);
  w.zero_grad();
  sum(w).backward();  // the first hook is gone, the one it added runs
  CHECK(w.grad().item() == 1.0);
  CHECK(added_calls >= 1);
}

TEST_CASE("hooks run in the observed sweep too (the backward trace)") {
  Tensor w = leaf({1.0, 2.0});
  int posts = 0;
  w.register_hook([](const Tensor& g) { return g * 2.0; });
  w.register_post_accumulate_grad_hook([&](const Tensor&) { ++posts; });
  Tensor y = w * 3.0;
  y.register_hook([](const Tensor& g) { return g + 1.0; });
  const auto steps = trace_backward(sum(y));
  CHECK(!steps.empty());
  CHECK(values(w.grad()) == std::vector<double>{12.0, 12.0});  // (1 + 1) * 3 * 2
  CHECK(posts == 1);
}

TEST_CASE("with create_graph a hooked gradient stays differentiable") {
  Tensor w = leaf({3.0});
  w.register_hook([](const Tensor& g) { return g * 2.0; });
  sum(w * w).backward(Tensor(), true, true);  // grad = 2 * 2w = 12
  CHECK(w.grad().item() == 12.0);
  // d(grad)/dw = 4, and ag::grad's gradient for w passes w's hook too: 8.
  const std::vector<Tensor> second = ag::grad({w.grad()}, {w});
  CHECK(second[0].item() == 8.0);
}

// SPDX-License-Identifier: MIT
// The engine: accumulation, reuse, repeated backward, handles, deep graphs.
#include <doctest/doctest.h>

#include <malloc.h>

#include <cmath>
#include <stdexcept>
#include <thread>
#include <unordered_set>
#include <vector>

#include "autograd/autograd.hpp"
#include "node_memory.hpp"

using ag::Scalar;

TEST_CASE("a value used twice gets both contributions: x * x gives 2x") {
  Scalar x = 3.0;
  (x * x).backward();
  CHECK(x.grad() == 6.0);
}

TEST_CASE("a diamond sums its paths") {
  // f = (a + b) * (a - b) => df/da = 2a, df/db = -2b
  Scalar a = 5.0, b = 2.0;
  Scalar s = a + b, d = a - b;
  Scalar f = s * d;
  f.backward();
  CHECK(a.grad() == 10.0);
  CHECK(b.grad() == -4.0);
  CHECK(s.grad() == d.value());  // interior gradients are kept for inspection
  CHECK(f.grad() == 1.0);
}

TEST_CASE("a second backward adds the same amount to leaves, not more") {
  // The micrograd bug: stale interior gradients compounding. Here interior
  // gradients are recomputed each time, so leaves get exactly 2x.
  Scalar x = 1.5;
  Scalar h = x * x;
  Scalar f = (h + h) * x;  // 2x^3, df/dx = 6x^2
  f.backward();
  const double once = x.grad();
  CHECK(once == doctest::Approx(6 * 1.5 * 1.5));
  f.backward();
  CHECK(x.grad() == doctest::Approx(2 * once));
  CHECK(h.grad() == doctest::Approx(2 * 1.5));  // interior: this sweep only
  f.zero_grad();
  CHECK(x.grad() == 0.0);
  CHECK(h.grad() == 0.0);
  CHECK(f.grad() == 0.0);
  f.backward();
  CHECK(x.grad() == doctest::Approx(once));
}

TEST_CASE("leaf gradients accumulate across graphs until cleared") {
  Scalar w = 2.0;
  (w * 3.0).backward();
  (w * 4.0).backward();
  CHECK(w.grad() == 7.0);
  w.set_grad(0.0);
  CHECK(w.grad() == 0.0);
}

TEST_CASE("backward on a leaf seeds it") {
  Scalar x = 4.0;
  x.backward();
  CHECK(x.grad() == 1.0);
}

TEST_CASE("copies share the node; assignment rebinds the handle") {
  Scalar x = 1.0;
  Scalar alias = x;
  (alias * 5.0).backward();
  CHECK(x.grad() == 5.0);
  alias = Scalar(9.0);
  CHECK(x.value() == 1.0);
  CHECK(alias.value() == 9.0);
}

TEST_CASE("intermediate handles may go; the graph stays alive through the root") {
  Scalar x = 2.0;
  Scalar f = 0.0;
  {
    Scalar t = x.exp();
    Scalar u = t * t;
    f = u.log();  // = 2x, df/dx = 2
  }
  f.backward();
  CHECK(x.grad() == doctest::Approx(2.0));
}

TEST_CASE("set_value changes leaves and refuses interior nodes") {
  Scalar x = 1.0;
  x.set_value(2.0);
  CHECK(x.value() == 2.0);
  Scalar y = (x * 3.0).label("y");
  CHECK_THROWS_AS(y.set_value(1.0), ag::ValueError);
  CHECK_THROWS_WITH(y.set_value(1.0), doctest::Contains("node 'y' (op 'mul_const') is not a leaf"));
}

TEST_CASE("labels are kept per node and survive copies") {
  Scalar x(1.0, "x");
  Scalar copy = x;
  CHECK(copy.label() == "x");
  Scalar y = (x + 1.0).label("y");
  CHECK(y.label() == "y");
  CHECK(Scalar(2.0).label().empty());
}

namespace {
std::size_t heap_in_use() { return node_memory(); }
// Address and thread sanitizers have their own allocators, which mallinfo2
// does not see.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kMallinfoWorks = false;
#else
constexpr bool kMallinfoWorks = true;
#endif
}  // namespace

TEST_CASE("a chain of a million ops runs backward and is freed without recursion") {
  // Recursion over this graph would need ~100 MB of stack; the default is 8 MB.
  const std::size_t before = heap_in_use();
  Scalar x = 1.0;
  {
    Scalar y = x;
    for (int i = 0; i < 500'000; ++i) y = y * 1.0000001 + 1e-7;
    y.backward();
    CHECK(x.grad() == doctest::Approx(std::pow(1.0000001, 500'000)).epsilon(1e-12));
    // Every node is alive until y goes: a million of them at least.
    if (kMallinfoWorks) CHECK(heap_in_use() > before + 1'000'000 * sizeof(ag::detail::ScalarNode));
  }
  // Everything built on x is gone once the last handle (y) went (after the
  // pool's empty slabs, kept for the next graph, are released too).
  ag::release_cached_buffers();
  if (kMallinfoWorks) CHECK(heap_in_use() < before + 64 * 1024);
  CHECK(x.grad() > 1.0);
}

TEST_CASE("a scalar node takes 40 bytes of the node pool, 32 when x + c stores no value") {
  // Node: reference count, flags, op number (8 bytes), two input slots (16),
  // gradient and value (16); x + c of an interior x has no value field.
  static_assert(sizeof(ag::detail::ScalarNodeWithValue) == 40);
  static_assert(sizeof(ag::detail::ScalarNode) == 32);
  const auto pool_bytes_per_node = [](auto build) {
    const std::size_t chunks_before = ag::detail::node_pool_chunks_in_use();
    Scalar x = 1.0;
    Scalar y = build(x);
    const std::size_t chunks = ag::detail::node_pool_chunks_in_use() - chunks_before;
    return static_cast<double>(chunks * ag::detail::PoolChunk::kBytes) / 1e6;
  };
  // A million nodes each: P6's chain (x * c of 40 bytes, then + c of 32),
  // and a chain of products of two inputs (40 bytes each).
  const double affine = pool_bytes_per_node([](Scalar y) {
    for (int i = 0; i < 500'000; ++i) y = y * 1.0000001 + 1e-7;
    return y;
  });
  const double products = pool_bytes_per_node([](Scalar y) {
    const Scalar w = 0.5;
    for (int i = 0; i < 1'000'000; ++i) y = y * w;
    return y;
  });
  if (affine > 0) {  // 0: the pool uses malloc (AddressSanitizer, valgrind)
    // 113 nodes and a 16-byte header per 4 KiB chunk.
    CHECK(affine < 36.3);
    CHECK(products > 40.0);
    CHECK(products < 40.2);  // 102 nodes a chunk
  }
}

TEST_CASE("x + c that stores no value reads the same value as one computed and stored") {
  using ag::detail::Node;
  const auto stores_value = [](const Scalar& s) {
    return !(s.node()->flags & Node::kValueFromInput);
  };
  Scalar x = 0.1;
  Scalar product = x * 3.0;
  Scalar sum = product + 0.7;  // of an interior node: not stored
  CHECK_FALSE(stores_value(sum));
  CHECK(sum.value() == 0.1 * 3.0 + 0.7);
  CHECK(Scalar(0.1 * 3.0).value() + 0.7 == sum.value());
  CHECK((product - 0.7).value() == 0.1 * 3.0 - 0.7);
  CHECK((0.7 + product).value() == 0.1 * 3.0 + 0.7);
  CHECK(std::signbit((x * -0.0 + -0.0).value()));  // -0 + -0 is -0: the constant's sign is kept
  CHECK(std::isnan((product + std::nan("")).value()));
  CHECK(fmt::format("{}", product + 0.25) == fmt::format("Scalar(value={}, grad=0)", 0.55));

  // A sum of a leaf stores its value: set_value must not move it.
  Scalar of_leaf = x + 1.0;
  CHECK(stores_value(of_leaf));
  x.set_value(5.0);
  CHECK(of_leaf.value() == 0.1 + 1.0);
  CHECK(sum.value() == 0.1 * 3.0 + 0.7);  // product's value is its own, fixed

  // A sum of a sum stores its value, so a read is never a chain of reads.
  Scalar twice = sum + 0.2;
  CHECK(stores_value(twice));
  CHECK(twice.value() == (0.1 * 3.0 + 0.7) + 0.2);
  Scalar thrice = twice + 0.3;
  CHECK_FALSE(stores_value(thrice));

  // Gradients, the diagram's constant, and backward through the sum.
  Scalar t = (thrice * thrice).tanh();
  t.backward();
  const double v = ((0.1 * 3.0 + 0.7) + 0.2) + 0.3;
  CHECK(thrice.value() == v);
  CHECK(t.value() == std::tanh(v * v));
  CHECK(x.grad() == doctest::Approx((1 - std::tanh(v * v) * std::tanh(v * v)) * 2 * v * 3.0));
  CHECK(ag::to_dot(sum).find("+ 0.7") != std::string::npos);
  CHECK(ag::to_dot(sum).find(fmt::format("data {:.4f}", sum.value())) != std::string::npos);
  {  // AnomalyMode reads the recomputed value, and frees the 32-byte node it refuses
    const ag::AnomalyMode guard;
    const Scalar big = Scalar(1.0) * 1e308;
    CHECK_THROWS_AS(big + 1e308, ag::AnomalyError);
  }
}

TEST_CASE("an op's constant shares the second input's slot and is kept exactly") {
  Scalar x = 3.0;
  Scalar nan_sum = x + std::nan("");  // NaN and -0.0 are constants too (their bits are not zero)
  CHECK(std::isnan(nan_sum.value()));
  nan_sum.backward();
  CHECK(x.grad() == 1.0);
  CHECK(ag::to_dot(x * -0.0).find("* -0") != std::string::npos);
  x.zero_grad();
  Scalar p = x.pow(2.5);
  p.backward();
  CHECK(x.grad() == doctest::Approx(2.5 * std::pow(3.0, 1.5)));
  // The slot holds no input: x * 2 draws as many edges as exp(x), one input.
  const auto edges = [](const std::string& dot) {
    std::size_t count = 0;
    for (std::size_t at = dot.find("->"); at != std::string::npos; at = dot.find("->", at + 2))
      ++count;
    return count;
  };
  const std::string dot = ag::to_dot(x * 2.0);
  CHECK(edges(dot) == edges(ag::to_dot(x.exp())));
  CHECK(dot.find("* 2") != std::string::npos);
}

TEST_CASE("a wide graph (one node with a million consumers) works too") {
  Scalar x = 2.0;
  Scalar sum = 0.0;
  for (int i = 0; i < 1'000'000; ++i) sum = sum + x;
  sum.backward();
  CHECK(x.grad() == 1'000'000.0);
}

namespace {
// A scalar op defined here, to look inside a sweep: it passes its gradient
// through and, when its backward runs (after every consumer), records the
// heap or throws.
struct Probe {
  static inline std::size_t heap = 0;
  static inline int throws_left = 0;
  static void backward(ag::detail::Node& node) {
    heap = mallinfo2().uordblks + mallinfo2().hblkhd;  // hblkhd: blocks malloc mmapped
    if (throws_left > 0) {
      --throws_left;
      throw std::runtime_error("probe");
    }
    ag::detail::as_scalar(*node.in[0]).grad += ag::detail::as_scalar(node).grad;
  }
  static inline const ag::detail::Op op{"probe", "probe", &ag::detail::scalar_kind, &backward};
};
Scalar probe(const Scalar& x) {
  return Scalar::adopt(ag::detail::make_scalar(&Probe::op, x.value(), x.node()));
}
// No traversal marks or consumer counts left on any node of the graph
// (a walk of its own: the engine's walks skip nodes left marked).
bool unmarked(ag::detail::Node* root) {
  std::unordered_set<ag::detail::Node*> seen{root};
  std::vector<ag::detail::Node*> stack{root};
  while (!stack.empty()) {
    ag::detail::Node* node = stack.back();
    stack.pop_back();
    if (node->flags & ag::detail::Node::kVisited) return false;
    if (node->flags >> ag::detail::Node::kPendingShift) return false;
    ag::detail::for_each_input(*node, [&](ag::detail::Node* input) {
      if (seen.insert(input).second) stack.push_back(input);
    });
  }
  return true;
}
bool unmarked(const Scalar& root) { return unmarked(root.node()); }
}  // namespace

TEST_CASE("backward keeps no list of the graph: a deep chain sweeps in constant memory") {
  // Each node runs when its last consumer has (a count per node, in its
  // flags), so the sweep holds only the nodes ready to run: one, on a chain.
  Scalar x = 1.0;
  Scalar y = probe(x);
  for (int i = 0; i < 300'000; ++i) y = y * 1.0000001 + 1e-7;
  const std::size_t before = mallinfo2().uordblks + mallinfo2().hblkhd;
  y.backward();
  CHECK(x.grad() == doctest::Approx(std::pow(1.0000001, 300'000)).epsilon(1e-12));
  // A list of the 600,001 nodes would take 4.8 MB.
  if (kMallinfoWorks) CHECK(Probe::heap < before + 64 * 1024);
  CHECK(unmarked(y));
}

TEST_CASE("zero_grad clears every node of a branching, deep graph and leaves no marks") {
  // Shared subexpressions (each reached along several paths), then a deep chain.
  Scalar a = 1.5, b = -0.5;
  Scalar s = a + b, d = a - b;
  Scalar f = s * d + s * s;  // df/da = d + s + 2s = 5 here
  for (int i = 0; i < 300'000; ++i) f = f * 1.0000001 + 1e-7;
  f.backward();
  const double df_da = 5 * std::pow(1.0000001, 300'000);
  CHECK(a.grad() == doctest::Approx(df_da).epsilon(1e-12));
  f.zero_grad();
  std::size_t nonzero = 0;
  for (const ag::detail::Node* node : ag::detail::topological_order(f.node()))
    nonzero += ag::detail::as_scalar(*node).grad != 0.0;
  CHECK(nonzero == 0);
  CHECK(unmarked(f));
  f.backward();
  CHECK(a.grad() == doctest::Approx(df_da).epsilon(1e-12));
}

TEST_CASE("a backward that throws midway leaves no marks or counts, and the next one works") {
  // x feeds 2,000 adds and the probe: more consumers than a node's flags
  // count (1,023), so its count lives in the sweep's map. The probe's input
  // is an interior node: a count left on it would stop its backward for good.
  Scalar x = 2.0;
  Scalar sum = probe(x * 1.0);
  for (int i = 0; i < 2'000; ++i) sum = (sum + x) * 1.0;
  Probe::throws_left = 1;
  CHECK_THROWS_AS(sum.backward(), std::runtime_error);
  CHECK(unmarked(sum));
  x.zero_grad();
  sum.backward();
  CHECK(x.grad() == 2'001.0);
  CHECK(unmarked(sum));
  // Thrown while counting (b's graph was freed by an earlier backward), after
  // c was reached: c's count must not survive into the next backward.
  const ag::Tensor w = ag::Tensor::from({1.0, 2.0}).requires_grad_();
  const ag::Tensor b = ag::exp(w), c = w * w;
  ag::sum(b).backward();  // frees b's graph
  const ag::Tensor both = ag::sum(c + b);
  CHECK_THROWS_AS(both.backward(), ag::GraphError);
  CHECK(unmarked(both.node()));
  w.zero_grad();
  ag::sum(c).backward();
  CHECK(w.grad().to_vector()[1] == doctest::Approx(4.0));  // 2w
  // A node with exactly as many consumers as the flags count, and one more.
  const int in_flags = (0xffff >> ag::detail::Node::kPendingShift) - 1;  // 254
  for (const int consumers : {in_flags, in_flags + 1, in_flags + 2}) {
    Scalar leaf = 1.0, total = 0.0;
    for (int i = 0; i < consumers; ++i) total = total + leaf;
    total.backward();
    CHECK(leaf.grad() == consumers);
    CHECK(unmarked(total));
  }
}

TEST_CASE("a graph built on one thread may be used and freed on another") {
  Scalar made;
  Scalar leaf = 3.0;
  std::thread([&] {
    Scalar a = leaf * 2.0;
    made = a * a + 1.0;  // (2x)^2 + 1, d/dx = 8x
  }).join();             // the thread has exited; its nodes live on through `made`
  made.backward();
  CHECK(made.value() == 37.0);
  CHECK(leaf.grad() == 24.0);
}

TEST_CASE("separate graphs on separate threads") {
  auto train = [](double start, double* grad) {
    Scalar x = start;
    Scalar y = x;
    for (int i = 0; i < 100'000; ++i) y = y * 1.00001 + 0.5;
    y.backward();
    *grad = x.grad();
  };
  double g1 = 0, g2 = 0;
  std::thread t1(train, 1.0, &g1), t2(train, 2.0, &g2);
  t1.join();
  t2.join();
  CHECK(g1 == doctest::Approx(std::pow(1.00001, 100'000)).epsilon(1e-12));
  CHECK(g2 == g1);
}

TEST_CASE("a moved-from Scalar throws instead of crashing, and can be assigned again") {
  Scalar x = 1.0;
  Scalar y = std::move(x);
  CHECK_THROWS_AS((void)x.value(), ag::GraphError);
  CHECK_THROWS_WITH(x.backward(), doctest::Contains("moved from"));
  CHECK_THROWS_AS((void)(x + 1.0), ag::GraphError);
  Scalar copy = x;  // copying nothing is allowed and copies nothing
  CHECK_THROWS_AS((void)copy.grad(), ag::GraphError);
  x = 2.0;
  CHECK(x.value() == 2.0);
  CHECK(y.value() == 1.0);
}

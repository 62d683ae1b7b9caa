// Every differentiable tensor op against central differences (gradcheck, in
// float64), over broadcast patterns, plus second derivatives.
#include <doctest/doctest.h>

#include <cmath>

#include "autograd/autograd.hpp"

using namespace ag;
using Args = std::vector<Tensor>;

namespace {

Generator gen(7);

Tensor input(const Shape& shape, double low = -2.0, double high = 2.0) {
  return rand(shape, gen, DType::float64, low, high).requires_grad_();
}

void check(const std::function<Tensor(const Args&)>& f, const Args& inputs) {
  const GradcheckResult result = gradcheck(f, inputs);
  INFO(result.worst);
  CHECK(result.ok);
}

// The broadcast patterns of the conformance data, and a few more.
const std::vector<std::pair<Shape, Shape>> kPatterns = {
    {{3, 4}, {3, 4}}, {{3, 4}, {4}}, {{3, 1}, {1, 4}},   {{}, {2, 3}},
    {{4}, {3, 4}},    {{}, {}},      {{2, 1, 3}, {4, 1}}};

}  // namespace

TEST_CASE("binary arithmetic, every broadcast pattern") {
  for (const auto& [sa, sb] : kPatterns) {
    CAPTURE(sa);
    CAPTURE(sb);
    const Tensor a = input(sa), b = input(sb);
    const Tensor positive = input(sb, 0.5, 2.0);
    check([](const Args& x) { return x[0] + x[1]; }, {a, b});
    check([](const Args& x) { return x[0] - x[1]; }, {a, b});
    check([](const Args& x) { return x[0] * x[1]; }, {a, b});
    check([](const Args& x) { return x[0] / x[1]; }, {a, positive});
    check([](const Args& x) { return pow(x[0], x[1]); }, {input(sa, 0.5, 2.0), b});
    CHECK((a + b).shape() == detail::broadcast_shapes(sa, sb, "test"));
  }
}

TEST_CASE("constants and Scalars on either side") {
  const Tensor a = input({2, 3});
  check([](const Args& x) { return -x[0] + 2.0; }, {a});
  check([](const Args& x) { return 2.0 - x[0] * 3.0; }, {a});
  check([](const Args& x) { return x[0] / 4.0 + 1.5 / (x[0] * x[0] + 1.0); }, {a});
  check([](const Args& x) { return x[0] - 1.0; }, {a});
}

TEST_CASE("unary functions") {
  const Tensor a = input({3, 4});
  const Tensor positive = input({3, 4}, 0.2, 3.0);
  check([](const Args& x) { return exp(x[0]); }, {a});
  check([](const Args& x) { return log(x[0]); }, {positive});
  check([](const Args& x) { return sqrt(x[0]); }, {positive});
  check([](const Args& x) { return tanh(x[0]); }, {a});
  check([](const Args& x) { return sigmoid(x[0]); }, {a});
  check([](const Args& x) { return relu(x[0]); }, {a});
  check([](const Args& x) { return abs(x[0]); }, {a});
  check([](const Args& x) { return leaky_relu(x[0], 0.1); }, {a});
  check([](const Args& x) { return gelu(x[0]); }, {a});
  check([](const Args& x) { return gelu(x[0], true); }, {a});
  check([](const Args& x) { return clamp(x[0], -0.5, 0.7); }, {a});
  check([](const Args& x) { return clamp(x[0], std::nullopt, 0.1); }, {a});
  for (double c : {2.0, 3.0, 0.5, -1.0, 2.5})
    check([c](const Args& x) { return pow(x[0], c); }, {positive});
}

TEST_CASE("reductions") {
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

TEST_CASE("matrix products, every matmul case, and linear") {
  const std::vector<std::pair<Shape, Shape>> cases = {
      {{2, 3}, {3, 4}}, {{2, 2, 3}, {2, 3, 4}},   {{2, 2, 3}, {3, 4}}, {{3}, {3, 4}}, {{2, 3}, {3}},
      {{3}, {3}},       {{2, 1, 2, 3}, {3, 3, 2}}};
  for (const auto& [sa, sb] : cases) {
    CAPTURE(sa);
    CAPTURE(sb);
    check([](const Args& x) { return matmul(x[0], x[1]); }, {input(sa), input(sb)});
  }
  check([](const Args& x) { return linear(x[0], x[1], x[2]); },
        {input({4, 3}), input({2, 3}), input({2})});
  check([](const Args& x) { return linear(x[0], x[1]); }, {input({5, 4, 3}), input({2, 3})});
}

namespace {
// A (rows x cols) float64 matrix with about 1 % nonzeros: below the density
// where matmul leaves BLAS for its sparse path.
Tensor sparse_matrix(std::int64_t rows, std::int64_t cols) {
  std::vector<double> values(static_cast<std::size_t>(rows * cols), 0.0);
  for (std::int64_t i = 0; i < rows * cols / 100; ++i)
    values[gen.next_u64() % values.size()] = gen.uniform() * 4 - 2;
  return Tensor::from(values, {rows, cols});
}

// C = A B by definition, for comparison.
std::vector<double> naive_product(const Tensor& a, const Tensor& b) {
  const std::int64_t m = a.size(0), k = a.size(1), n = b.size(1);
  const auto av = a.to_vector(), bv = b.to_vector();
  std::vector<double> c(static_cast<std::size_t>(m * n), 0.0);
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t kk = 0; kk < k; ++kk)
      for (std::int64_t j = 0; j < n; ++j) c[i * n + j] += av[i * k + kk] * bv[kk * n + j];
  return c;
}

void check_close(const std::vector<double>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-12));
}
}  // namespace

TEST_CASE("very sparse operands take matmul's sparse path, with the same results") {
  const Tensor x = sparse_matrix(64, 128);  // 8192 elements, ~80 nonzeros
  const Tensor w = input({3, 128}), wt = input({128, 3});
  const Tensor r = input({64, 3});
  // Sparse left operand, right one transposed (linear) and not (matmul).
  check_close(linear(x, w).to_vector(), naive_product(x, transpose(w, 0, 1)));
  check_close(matmul(x, wt).to_vector(), naive_product(x, wt));
  // Sparse right operand.
  const Tensor xt = transpose(x, 0, 1);
  check_close(matmul(w, xt).to_vector(), naive_product(w, xt));
  // Backward: dW = gᵀ x (sparse right, left transposed) and dWt = xᵀ g
  // (sparse left, transposed).
  sum(linear(x, w) * r).backward();
  check_close(w.grad().to_vector(), naive_product(transpose(r, 0, 1), x));
  sum(matmul(x, wt) * r).backward();
  check_close(wt.grad().to_vector(), naive_product(xt, r));
  // And gradcheck through it, the sparse operand fixed.
  check([&](const Args& p) { return linear(x, p[0], p[1]); }, {input({3, 128}), input({3})});
  check([&](const Args& p) { return matmul(p[0], xt); }, {input({2, 128})});
}

TEST_CASE("a weight used many times: fused in-place accumulation gives the same bits") {
  // Without create_graph, mul's backward adds g·other straight into a
  // gradient it owns alone; with it, it builds g·other and adds. Same values.
  auto grads = [](bool create_graph) {
    const Tensor w = Tensor::from({0.5, -1.25, 2.0}).requires_grad_();
    Tensor y = w;
    for (int i = 0; i < 40; ++i) y = y * w * 0.99 + 0.01;
    sum(y).backward(Tensor(), false, create_graph);
    const auto values = w.grad().to_vector();
    w.zero_grad();  // under create_graph the gradient's graph refers back to w: break the cycle
    return values;
  };
  CHECK(grads(false) == grads(true));
  // The same for the one-pass backward of tanh, sigmoid, exp and relu, in
  // both dtypes.
  for (DType dtype : {DType::float32, DType::float64}) {
    auto unary_grads = [dtype](bool create_graph) {
      const Tensor x = Tensor::from({0.5, -1.25, 2.0, 0.0}).to(dtype).requires_grad_();
      Tensor y = x;
      for (int i = 0; i < 6; ++i) y = relu(exp(sigmoid(tanh(y)) * 0.5) - 1.2) + y * 0.5;
      sum(y).backward(Tensor(), false, create_graph);
      const auto values = x.grad().to_vector();
      x.zero_grad();  // as above
      return values;
    };
    CHECK(unary_grads(false) == unary_grads(true));
  }
  // The gradient flowing back is reused in place only when nobody else holds
  // it: a grad_output the caller keeps is never written.
  const Tensor a = Tensor::from({1.0, 2.0}).requires_grad_(), b = Tensor::from({3.0, -4.0});
  const Tensor grad_output = Tensor::from({0.5, 0.25});
  (a * b).backward(grad_output, /*retain_graph=*/true);
  CHECK(grad_output.to_vector() == std::vector<double>{0.5, 0.25});
  CHECK(a.grad().to_vector() == std::vector<double>{1.5, -1.0});
  (a * b).backward(grad_output);
  CHECK(a.grad().to_vector() == std::vector<double>{3.0, -2.0});
  check(
      [](const Args& x) {
        Tensor y = x[0];
        for (int i = 0; i < 5; ++i) y = y * x[0] * x[1];
        return y;
      },
      {input({3}), input({3})});
}

TEST_CASE("shape ops") {
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
  check([](const Args& x) { return index_select(x[0], 1, index_tensor({2, 0, 2})); }, {a});
  check(
      [](const Args& x) {
        return embedding(x[0], index_tensor({1, 3, 1, 0}, {2, 2}));
      },
      {input({5, 3})});
  check([](const Args& x) { return where(gt(x[0], 0.0), x[0] * x[1], x[1]); },
        {input({3, 4}), input({4})});
  check([](const Args& x) { return masked_fill(x[0], lt(x[0], 0.0), 3.0); }, {a});
}

TEST_CASE("cat records when only a later input requires a gradient") {
  const Tensor a = ones({2}, DType::float64), b = ones({2}, DType::float64);
  const Tensor c = input({3});
  const Tensor joined = cat({a, b, c});
  CHECK(joined.requires_grad());
  sum(joined * 2.0).backward();
  CHECK(c.grad().to_vector() == std::vector<double>{2, 2, 2});
}

TEST_CASE("gather picks along a dim; repeats add up in backward") {
  const Tensor x = input({3, 4});
  const Tensor idx = index_tensor({0, 3, 3, 1, 2, 2}, {3, 2});
  const Tensor out = gather(x, 1, idx);
  CHECK(out.shape() == Shape{3, 2});
  CHECK(out.at({0, 1}) == x.at({0, 3}));
  CHECK(out.at({2, 0}) == x.at({2, 2}));
  check([&](const Args& a) { return gather(a[0], 1, idx); }, {x});
  check([](const Args& a) { return gather(a[0], 0, index_tensor({2, 0, 1, 1}, {1, 4})); }, {x});
  CHECK_THROWS_AS(gather(x, 1, index_tensor({4}, {1, 1})), IndexError);
  CHECK_THROWS_AS(gather(x, 1, index_tensor({0}, {1})), ShapeError);
}

TEST_CASE("embedding: repeated rows add up, the padding row gets nothing") {
  const Tensor w = input({5, 3});
  const Tensor out = embedding(w, index_tensor({1, 3, 1, 0}, {2, 2}), 1);
  CHECK(out.shape() == Shape{2, 2, 3});
  CHECK(out.at({0, 0, 2}) == w.at({1, 2}));  // the padding row is still looked up
  sum(out * 2.0).backward();
  CHECK(w.grad().at({1, 0}) == 0.0);  // padding_idx = 1, used twice
  CHECK(w.grad().at({3, 0}) == 2.0);
  CHECK(w.grad().at({0, 2}) == 2.0);
  CHECK(w.grad().at({2, 1}) == 0.0);
  const Tensor w2 = input({4, 2});
  sum(embedding(w2, index_tensor({2, 2, 2}))).backward();
  CHECK(w2.grad().at({2, 0}) == 3.0);
}

TEST_CASE("sparse embedding gradients: rows touched and their values") {
  const Tensor w = input({6, 3});
  const Tensor idx = index_tensor({4, 1, 4, 2}, {2, 2});
  const Tensor upstream = input({2, 2, 3}).detach();
  sum(embedding(w, idx, std::nullopt, /*sparse=*/true) * upstream).backward();
  CHECK_FALSE(w.grad().defined());
  const SparseGrad& sg = w.sparse_grad();
  REQUIRE(sg.defined());
  CHECK(sg.rows.to_vector() == std::vector<double>{4, 1, 4, 2});  // uncoalesced
  CHECK(sg.values.shape() == Shape{4, 3});
  const Tensor dense_w = w.detach().requires_grad_();
  sum(embedding(dense_w, idx) * upstream).backward();
  CHECK(sg.to_dense(6).to_vector() == dense_w.grad().to_vector());
  // a second backward appends; padding rows are left out
  sum(embedding(w, index_tensor({0, 5}), 5, true)).backward();
  CHECK(w.sparse_grad().rows.to_vector() == std::vector<double>{4, 1, 4, 2, 0});
  w.zero_grad();
  CHECK_FALSE(w.sparse_grad().defined());
  // ag::grad sees a dense gradient
  const Tensor g = grad({sum(embedding(w, idx, std::nullopt, true))}, {w})[0];
  CHECK(g.at({4, 0}) == 2.0);
  CHECK(g.at({0, 0}) == 0.0);
}

TEST_CASE("second derivatives through create_graph") {
  // (x^2+1)^2: f' = 4x(x^2+1), f'' = 12x^2 + 4
  const Tensor x = Tensor::from({0.5, -1.5, 2.0}).requires_grad_();
  const Tensor f = sum(pow(x * x + 1.0, 2.0));
  const Tensor g = grad({f}, {x}, {}, true)[0];
  const Tensor h = grad({sum(g)}, {x})[0];
  for (int i = 0; i < 3; ++i) {
    const double v = x.at({i});
    CHECK(g.at({i}) == doctest::Approx(4 * v * (v * v + 1)));
    CHECK(h.at({i}) == doctest::Approx(12 * v * v + 4));
  }
  // sigmoid'' = s(1-s)(1-2s), tanh'' = -2t(1-t^2)
  const Tensor s = sigmoid(x), t = tanh(x);
  const Tensor hs = grad({sum(grad({sum(s)}, {x}, {}, true)[0])}, {x})[0];
  const Tensor ht = grad({sum(grad({sum(t)}, {x}, {}, true)[0])}, {x})[0];
  for (int i = 0; i < 3; ++i) {
    const double sv = s.at({i}), tv = t.at({i});
    CHECK(hs.at({i}) == doctest::Approx(sv * (1 - sv) * (1 - 2 * sv)));
    CHECK(ht.at({i}) == doctest::Approx(-2 * tv * (1 - tv * tv)));
  }
}

TEST_CASE("hessian against finite differences of the gradient") {
  auto f = [](const Tensor& v) {
    const Tensor weights = Tensor::from({{1.0, -2.0}, {0.5, 3.0}});
    return sum(log_softmax(matmul(reshape(v, {2, 2}), reshape(v, {2, 2})), 1) * weights);
  };
  const Tensor x = Tensor::from({0.3, -0.7, 1.1, 0.4});
  const Tensor h = hessian(f, x);
  REQUIRE(h.shape() == Shape{4, 4});
  const double eps = 1e-6;
  for (int j = 0; j < 4; ++j) {
    std::vector<double> up = x.to_vector(), down = up;
    up[j] += eps;
    down[j] -= eps;
    const Tensor gu = jacobian(f, Tensor::from(up, {4}));
    const Tensor gd = jacobian(f, Tensor::from(down, {4}));
    for (int i = 0; i < 4; ++i) {
      const double numeric = (gu.at({i}) - gd.at({i})) / (2 * eps);
      CHECK(h.at({i, j}) == doctest::Approx(numeric).epsilon(1e-5));
    }
  }
}

TEST_CASE("jacobian of an elementwise map is diagonal") {
  const Tensor j = jacobian([](const Tensor& v) { return exp(v); }, Tensor::from({0.0, 1.0}));
  CHECK(j.at({0, 0}) == doctest::Approx(1.0));
  CHECK(j.at({1, 1}) == doctest::Approx(std::exp(1.0)));
  CHECK(j.at({0, 1}) == 0.0);
}

TEST_CASE("gradcheck catches a wrong derivative") {
  // relu'(0) = 0 by convention; the central difference there is half the slope.
  const GradcheckResult r =
      gradcheck([](const Args& x) { return relu(x[0]); }, {Tensor::from({0.0}).requires_grad_()});
  CHECK_FALSE(r.ok);
  CHECK(r.worst.find("input 0, element 0") != std::string::npos);
}

TEST_CASE("float32 and float64 paths agree") {
  const Tensor a64 = input({3, 5}), b64 = input({5, 2});
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

namespace {
Tensor cube(const Tensor& x) {
  return custom_op(
      "cube", {x}, [](const Args& in) { return in[0] * in[0] * in[0]; },
      [](const Args& in, const Tensor&, const Tensor& g) { return Args{3.0 * in[0] * in[0] * g}; });
}
}  // namespace

TEST_CASE("custom ops: gradcheck, second order, many inputs, checked results") {
  check([](const Args& x) { return cube(x[0]); }, {input({3, 2})});
  const Tensor x = Tensor::from({2.0}).requires_grad_();
  const Tensor g = grad({sum(cube(x))}, {x}, {}, true)[0];
  CHECK(grad({sum(g)}, {x})[0].item() == doctest::Approx(12.0));  // d²/dx² x³ = 6x
  auto weighted = [](const Args& in) {
    return custom_op(
        "weighted_sum", in, [](const Args& v) { return v[0] + 2.0 * v[1] + 3.0 * v[2]; },
        [](const Args&, const Tensor&, const Tensor& grad_out) {
          return Args{grad_out, 2.0 * grad_out, 3.0 * grad_out};
        });
  };
  check(weighted, {input({2}), input({2}), input({2})});
  CHECK(to_dot(sum(cube(x))).find("label=\"cube\"") != std::string::npos);
  const Tensor bad = custom_op(
      "bad", {x}, [](const Args& in) { return in[0] * 1.0; },
      [](const Args&, const Tensor&, const Tensor&) { return Args{ones({3}, DType::float64)}; });
  CHECK_THROWS_WITH(bad.backward(),
                    doctest::Contains("bad: backward returned a gradient of shape [3]"));
}

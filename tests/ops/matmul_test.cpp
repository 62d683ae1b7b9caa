// SPDX-License-Identifier: MIT
// Tensor ops of ops/matmul.cpp and ops/gemm.cpp against central differences (gradcheck, float64)
// and their documented behaviour.
#include "check.hpp"

#include <algorithm>
#include <array>

TEST_CASE("matmul: matrix products, every matmul case, and linear") {
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
    values[test::gen().next_u64() % values.size()] = test::gen().uniform() * 4 - 2;
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

TEST_CASE("gemm: very sparse operands take matmul's sparse path, with the same results") {
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

TEST_CASE("gemm: a sparse operand whose nonzeros line up with the density sample is multiplied") {
  // 64 x 256: the first look samples every 64th element, exactly where the
  // nonzeros are (1 in 64: sparse by the rule), so it takes the dense path.
  std::vector<double> values(64 * 256, 0.0);
  for (std::size_t i = 0; i < values.size(); i += 64) values[i] = 1.0 + static_cast<double>(i % 7);
  const Tensor x = Tensor::from(values, {64, 256});
  const Tensor w = input({256, 3});
  check_close(matmul(x, w).to_vector(), naive_product(x, w));
}

TEST_CASE("gemm: set_num_threads is the one thread setting") {
  const int before = get_num_threads();
  set_num_threads(1);
  CHECK(get_num_threads() == 1);
  CHECK_THROWS_AS(set_num_threads(0), ValueError);
  set_num_threads(before);
}

TEST_CASE("gemm: the float32 library is chosen by shape, can be forced, and agrees with BLAS") {
  CHECK_THROWS_AS(set_gemm_backend("mkl"), ValueError);
  CHECK(gemm_backend(DType::float64, 512, 512, 512) != "onednn");  // oneDNN has no float64 GEMM
  const std::string_view blas = gemm_backend(DType::float64, 4, 4, 4);
  ag::Generator gen(3);
  const Tensor a = ag::randn({130, 300}, gen), b = ag::randn({300, 70}, gen);  // 2.7M MACs
  const Tensor at = transpose(a, 0, 1).contiguous(), bt = transpose(b, 0, 1).contiguous();
  const std::vector<double> want = naive_product(a, b);  // in float64
  std::vector<std::string_view> libraries = {"blas"};
  set_gemm_backend("auto");
  const int threads = get_num_threads();
  set_num_threads(1);
  const std::vector<std::string_view> built = gemm_backends();
  CHECK(built.front() == blas);
  if (std::find(built.begin(), built.end(), "onednn") != built.end()) {
    CHECK(gemm_backend(DType::float32, 130, 70, 300) == "onednn");  // 2.7M MACs at one thread
    CHECK(gemm_backend(DType::float32, 64, 64, 64) == blas);        // small products: BLAS
    set_num_threads(2);  // split in two parts of 1.4M multiply-adds: still oneDNN's
    CHECK(gemm_backend(DType::float32, 130, 70, 300) == "onednn");
    set_num_threads(4);  // four parts of under 2^20: BLAS's
    CHECK(gemm_backend(DType::float32, 130, 70, 300) == blas);
    libraries.push_back("onednn");
  }
  set_num_threads(threads);
  for (std::string_view library : libraries) {
    CAPTURE(library);
    set_gemm_backend(library);
    CHECK(gemm_backend(DType::float32, 4, 4, 4) == (library == "blas" ? blas : "onednn"));
    // Every transpose combination, against the float64 product (|c| ~ 17).
    for (const Tensor& c :
         {matmul(a, b), matmul(transpose(at, 0, 1), b), matmul(a, transpose(bt, 0, 1)),
          matmul(transpose(at, 0, 1), transpose(bt, 0, 1))}) {
      const std::vector<double> got = c.to_vector();
      REQUIRE(got.size() == want.size());
      double worst = 0;
      for (std::size_t i = 0; i < got.size(); ++i)
        worst = std::max(worst, std::fabs(got[i] - want[i]));
      CHECK(worst < 1e-3);
    }
  }
  set_gemm_backend("auto");
}

TEST_CASE("gemm: products split over threads equal the one-thread product") {
  // Tall (split by rows) and wide (by columns) products, part sizes that are
  // not multiples of the 16-row alignment, both dtypes; linear's forward
  // (B transposed) and backward (A transposed) cover every transpose.
  const int before = get_num_threads();
  ag::Generator gen(11);
  const std::vector<std::array<std::int64_t, 3>> shapes = {{130, 70, 300}, {40, 333, 90}};
  for (const DType dtype : {DType::float32, DType::float64}) {
    for (const auto& [m, n, k] : shapes) {
      const Tensor a = ag::randn({m, k}, gen, dtype).requires_grad_();
      const Tensor b = ag::randn({k, n}, gen, dtype), r = ag::randn({m, n}, gen, dtype);
      const Tensor w = ag::randn({n, k}, gen, dtype).requires_grad_();
      const auto products = [&] {
        a.zero_grad();
        w.zero_grad();
        sum(linear(a, w) * r).backward();
        return std::vector<Tensor>{matmul(a, b), linear(a, w), a.grad(), w.grad()};
      };
      set_num_threads(1);
      const std::vector<Tensor> alone = products();
      for (const int threads : {2, 3, 5}) {
        CAPTURE(dtype);
        CAPTURE(m);
        CAPTURE(threads);
        set_num_threads(threads);
        const std::vector<Tensor> split = products();
        for (std::size_t i = 0; i < split.size(); ++i) {
          CAPTURE(i);
          const std::vector<double> got = split[i].to_vector(), want = alone[i].to_vector();
          double worst = 0;
          for (std::size_t j = 0; j < got.size(); ++j)
            worst = std::max(worst, std::fabs(got[j] - want[j]));
          CHECK(worst < (dtype == DType::float32 ? 1e-3 : 1e-10));  // |c| up to ~100
        }
      }
    }
  }
  set_num_threads(before);
}

// Matrix products through BLAS. One primitive, a batched GEMM with
// transpose flags, carries the derivative; matmul and linear are shapes
// around it. Backward passes transposes to the GEMM as flags, never copies,
// and uses the same primitive, so it differentiates again.
#include <cblas.h>

#include <algorithm>
#include <bit>
#include <type_traits>
#include <vector>

#ifdef AG_GEMM_EIGEN
// GCC 12 reports false "(may be) used uninitialized" warnings inside Eigen's AVX-512
// transpose intrinsics once they are inlined here; it is not our code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <Eigen/Core>
#endif

#include "autograd/ops/tensor_op.hpp"

namespace ag {
namespace detail {
namespace {

Tensor gemm(const Tensor& a, const Tensor& b, bool ta, bool tb);

// C = op(A) op(B) per batch; ints = {ta, tb}
void gemm_vjp(Node& n, const Tensor& g) {
  const bool ta = as_tensor(n).ints[0] != 0, tb = as_tensor(n).ints[1] != 0;
  const Tensor a = input(n, 0), b = input(n, 1);
  if (input_wants_grad(n, 0)) {
    accumulate_input(n, 0, ta ? gemm(b, g, tb, true) : gemm(g, b, false, !tb));
  }
  if (input_wants_grad(n, 1)) {
    accumulate_input(n, 1, tb ? gemm(g, a, true, ta) : gemm(a, g, !ta, false));
  }
}
const Op gemm_op{"matmul", "@", &tensor_kind, run_backward<gemm_vjp>};

#ifdef AG_GEMM_EIGEN
// Eigen, selected with -Dgemm=eigen (built with -march=native).
template <class T>
void blas_gemm(bool ta, bool tb, int m, int n, int k, const T* a, const T* b, T* c) {
  using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Map<const Matrix> A(a, ta ? k : m, ta ? m : k), B(b, tb ? n : k, tb ? k : n);
  Eigen::Map<Matrix> C(c, m, n);
  if (ta && tb) {
    C.noalias() = A.transpose() * B.transpose();
  } else if (ta) {
    C.noalias() = A.transpose() * B;
  } else if (tb) {
    C.noalias() = A * B.transpose();
  } else {
    C.noalias() = A * B;
  }
}
#else
// OpenBLAS (the default): transposes are flags, leading dims the stored widths.
void blas_gemm(bool ta, bool tb, int m, int n, int k, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n,
              k, 1.0f, a, ta ? m : k, b, tb ? k : n, 0.0f, c, n);
}
void blas_gemm(bool ta, bool tb, int m, int n, int k, const double* a, const double* b, double* c) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n,
              k, 1.0, a, ta ? m : k, b, tb ? k : n, 0.0, c, n);
}
#endif

// Very sparse operands (bag-of-words inputs, their weight gradients) skip
// BLAS: a dense GEMM spends ~2n flops per element of op(A), a sparse product
// ~n multiply-adds per nonzero only, which wins below ~1.5 % density.
constexpr std::int64_t kSparseDensity = 64;  // sparse: at most 1 in 64 nonzero

// The nonzeros of op(X) (rows x cols) by row: row r's are entries
// starts[r] .. starts[r+1] of cols/values.
template <class T>
struct Csr {
  std::vector<std::int64_t> starts, cols;
  std::vector<T> values;
};

// Fills `out` and returns true if op(X) is sparse. The scan skips zero blocks
// 16 at a time and stops at the first nonzero past the density limit, so a
// dense operand costs a few dozen comparisons.
template <class T>
bool sparse_rows(const T* x, bool transposed, std::int64_t rows, std::int64_t cols, Csr<T>& out) {
  const std::int64_t count = rows * cols;
  if (count < 4096) return false;
  std::int64_t allowed = count / kSparseDensity;
  std::vector<std::int64_t> flat;  // storage-order positions of the nonzeros
  constexpr std::int64_t kBlock = 16;
  for (std::int64_t i = 0; i < count; i += kBlock) {
    const std::int64_t end = std::min(count, i + kBlock);
    if (end - i == kBlock) {  // integer bits (sign shifted out), which vectorise
      using Bits = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
      Bits nonzero = 0;
      for (std::int64_t j = 0; j < kBlock; ++j) nonzero |= std::bit_cast<Bits>(x[i + j]) << 1;
      if (!nonzero) continue;
    }
    for (std::int64_t j = i; j < end; ++j) {
      if (x[j] == T{0}) continue;
      if (--allowed < 0) return false;
      flat.push_back(j);
    }
  }
  // Stored as (cols x rows) when transposed: bucket by op(X)'s row.
  out.starts.assign(rows + 1, 0);
  for (std::int64_t f : flat) ++out.starts[(transposed ? f % rows : f / cols) + 1];
  for (std::int64_t r = 0; r < rows; ++r) out.starts[r + 1] += out.starts[r];
  out.cols.resize(flat.size());
  out.values.resize(flat.size());
  std::vector<std::int64_t> next(out.starts.begin(), out.starts.end() - 1);
  for (std::int64_t f : flat) {
    const std::int64_t r = transposed ? f % rows : f / cols;
    const std::int64_t at = next[r]++;
    out.cols[at] = transposed ? f / rows : f % cols;
    out.values[at] = x[f];
  }
  return true;
}

// C (m x n) = op(A) op(B) with op(A) sparse.
template <class T>
void gemm_sparse_a(const Csr<T>& sa, bool tb, std::int64_t m, std::int64_t n, std::int64_t k,
                   const T* b, T* c) {
  std::fill_n(c, m * n, T{0});
  if (tb) {  // op(B)[kk][j] = b[j][kk]: keep row j of b in cache across all of C's rows
    for (std::int64_t j = 0; j < n; ++j) {
      const T* brow = b + j * k;
      for (std::int64_t i = 0; i < m; ++i) {
        T sum{0};
        for (std::int64_t z = sa.starts[i]; z < sa.starts[i + 1]; ++z)
          sum += sa.values[z] * brow[sa.cols[z]];
        c[i * n + j] = sum;
      }
    }
    return;
  }
  for (std::int64_t i = 0; i < m; ++i) {
    T* row = c + i * n;
    for (std::int64_t z = sa.starts[i]; z < sa.starts[i + 1]; ++z) {
      const T v = sa.values[z];
      const T* brow = b + sa.cols[z] * n;
      for (std::int64_t j = 0; j < n; ++j) row[j] += v * brow[j];
    }
  }
}

// C (m x n) = op(A) op(B) with op(B) sparse: row i of C adds op(A)[i][kk]
// times the nonzeros of row kk of op(B).
template <class T>
void gemm_sparse_b(const Csr<T>& sb, bool ta, std::int64_t m, std::int64_t n, std::int64_t k,
                   const T* a, T* c) {
  std::fill_n(c, m * n, T{0});
  for (std::int64_t i = 0; i < m; ++i) {
    T* row = c + i * n;
    for (std::int64_t kk = 0; kk < k; ++kk) {
      const T v = ta ? a[kk * m + i] : a[i * k + kk];
      if (v == T{0}) continue;
      for (std::int64_t z = sb.starts[kk]; z < sb.starts[kk + 1]; ++z)
        row[sb.cols[z]] += v * sb.values[z];
    }
  }
}

// a: (batch, rows, cols) or (rows, cols), used as op(a); same for b, with
// the same rank and batch. 2-D operands need no reshape nodes around them.
Tensor gemm(const Tensor& a, const Tensor& b, bool ta, bool tb) {
  const Shape &sa = a.shape(), &sb = b.shape();
  const std::size_t r = sa.size() - 2;  // 0 for matrices, 1 for batches
  const std::int64_t batch = r ? sa[0] : 1;
  const std::int64_t m = ta ? sa[r + 1] : sa[r], k = ta ? sa[r] : sa[r + 1];
  const std::int64_t kb = tb ? sb[r + 1] : sb[r], n = tb ? sb[r] : sb[r + 1];
  if (k != kb) {
    fail<ShapeError>("matmul: inner dimensions differ ({} vs {}) for shapes {} and {}", k, kb, sa,
                     sb);
  }
  if (a.dtype() != b.dtype()) {
    fail<DTypeError>("matmul: dtypes differ ({} {} and {} {})", a.dtype(), sa, b.dtype(), sb);
  }
  constexpr std::int64_t kMax = 0x7fffffff;
  if (m > kMax || n > kMax || k > kMax) fail<ShapeError>("matmul: {} x {} too large", sa, sb);
  Tensor out = empty_tensor(r ? Shape{batch, m, n} : Shape{m, n}, a.dtype(), "matmul");
  visit_floating(a.dtype(), "matmul", [&](auto zero) {
    using T = decltype(zero);
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* pc = out.data<T>();
    for (std::int64_t i = 0; i < batch; ++i) {
      if (k == 0) {
        std::fill_n(pc + i * m * n, m * n, T{0});
        continue;
      }
      const T *ai = pa + i * m * k, *bi = pb + i * k * n;
      T* ci = pc + i * m * n;
      Csr<T> sparse;
      if (sparse_rows(ai, ta, m, k, sparse)) {
        gemm_sparse_a(sparse, tb, m, n, k, bi, ci);
      } else if (sparse_rows(bi, tb, k, n, sparse)) {
        gemm_sparse_b(sparse, ta, m, n, k, ai, ci);
      } else {
        blas_gemm(ta, tb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), ai, bi,
                  ci);
      }
    }
  });
  if (record(out, gemm_op, {a.node(), b.node()})) out.node()->ints = {ta, tb};
  return out;
}

Shape batch_of(const Shape& s) { return Shape(s.begin(), s.end() - 2); }

}  // namespace
}  // namespace detail

Tensor matmul(const Tensor& a, const Tensor& b) {
  if (a.dim() == 0 || b.dim() == 0) {
    detail::fail<ShapeError>("matmul: both operands need at least 1 dim, got {} and {}", a.shape(),
                             b.shape());
  }
  // Vectors become matrices, as in PyTorch: (k) is (1, k) on the left and
  // (k, 1) on the right; the added dim is dropped from the result.
  const Tensor a2 = a.dim() == 1 ? unsqueeze(a, 0) : a;
  const Tensor b2 = b.dim() == 1 ? unsqueeze(b, 1) : b;
  const std::int64_t m = a2.shape()[a2.dim() - 2], k = a2.shape()[a2.dim() - 1];
  const std::int64_t kb = b2.shape()[b2.dim() - 2], n = b2.shape()[b2.dim() - 1];
  if (k != kb) {
    detail::fail<ShapeError>("matmul: inner dimensions differ ({} vs {}) for shapes {} and {}", k,
                             kb, a.shape(), b.shape());
  }
  if (a.dim() == 2 && b.dim() == 2) return detail::gemm(a, b, false, false);
  const Shape batch = detail::broadcast_shapes(detail::batch_of(a2.shape()),
                                               detail::batch_of(b2.shape()), "matmul");
  std::int64_t count = 1;
  for (std::int64_t size : batch) count *= size;
  Shape full_a = batch, full_b = batch;
  full_a.insert(full_a.end(), {m, k});
  full_b.insert(full_b.end(), {k, n});
  const Tensor a3 = reshape(broadcast_to(a2, full_a), {count, m, k});
  const Tensor b3 = reshape(broadcast_to(b2, full_b), {count, k, n});
  Shape out_shape = batch;
  if (a.dim() > 1) out_shape.push_back(m);
  if (b.dim() > 1) out_shape.push_back(n);
  return reshape(detail::gemm(a3, b3, false, false), out_shape);
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  if (weight.dim() != 2 || x.dim() == 0 || x.shape().back() != weight.shape()[1]) {
    detail::fail<ShapeError>("linear: input {} does not fit weight {} (out_features, in_features)",
                             x.shape(), weight.shape());
  }
  const std::int64_t in = weight.shape()[1];
  Shape out_shape = x.shape();
  out_shape.back() = weight.shape()[0];
  const Tensor x2 = x.dim() == 2 ? x : reshape(x, {-1, in});
  Tensor y = detail::gemm(x2, weight, false, true);
  if (x.dim() != 2) y = reshape(y, out_shape);
  return bias.defined() ? y + bias : y;
}

void set_num_threads(int threads) {
  if (threads < 1) detail::fail<ValueError>("set_num_threads: {} is not a positive count", threads);
  openblas_set_num_threads(threads);
}

int get_num_threads() { return openblas_get_num_threads(); }

}  // namespace ag

// SPDX-License-Identifier: MIT
// Matrix-product kernels behind the gemm op: a dense library (chosen in
// gemm_backends.cpp) for dense operands, and sparse kernels for operands with
// at most 1 nonzero in 64 (bag-of-words inputs and their weight gradients).
#include "autograd/ops/gemm.hpp"

#include <algorithm>
#include <bit>
#include <type_traits>
#include <vector>

namespace ag::detail {
namespace {

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
// 16 at a time and stops at the first nonzero past the density limit.
template <class T>
bool sparse_rows(const T* x, bool transposed, std::int64_t rows, std::int64_t cols, Csr<T>& out) {
  const std::int64_t count = rows * cols;
  if (count < 4096) return false;
  // A first look at 256 evenly spaced elements: more than 1 in 8 of them
  // nonzero (8x the limit) and the operand is taken as dense at once, for
  // 256 loads instead of a scan of ~1/64 of it (P3's operands). Only
  // nonzeros lined up with the spacing can fool it; the dense product then
  // gives the product all the same, more slowly.
  constexpr std::int64_t kSamples = 256;
  std::int64_t sampled_nonzeros = 0;
  for (std::int64_t i = 0; i < kSamples; ++i) sampled_nonzeros += x[i * (count / kSamples)] != T{0};
  if (sampled_nonzeros > kSamples / 8) return false;
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

}  // namespace

template <class T>
void gemm_kernel(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, const T* a,
                 const T* b, T* c) {
  if (k == 0) {
    std::fill_n(c, m * n, T{0});
    return;
  }
  Csr<T> sparse;
  if (sparse_rows(a, ta, m, k, sparse)) {
    gemm_sparse_a(sparse, tb, m, n, k, b, c);
  } else if (sparse_rows(b, tb, k, n, sparse)) {
    gemm_sparse_b(sparse, ta, m, n, k, a, c);
  } else {
    dense_gemm(ta, tb, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), a, b, c);
  }
}
template void gemm_kernel(bool, bool, std::int64_t, std::int64_t, std::int64_t, const float*,
                          const float*, float*);
template void gemm_kernel(bool, bool, std::int64_t, std::int64_t, std::int64_t, const double*,
                          const double*, double*);

}  // namespace ag::detail

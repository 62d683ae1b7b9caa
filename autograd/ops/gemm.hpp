// SPDX-License-Identifier: MIT
// The matrix-product kernels the gemm op runs (gemm.cpp). Internal.
#pragma once

#include <cstdint>

namespace ag::detail {

/// C (m x n) = op(A) op(B), row-major, op(X) = X^T when its flag is set:
/// through BLAS, or a sparse kernel when A or B has at most 1 nonzero in 64.
/// m, n, k must fit an int.
template <class T>
void gemm_kernel(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, const T* a,
                 const T* b, T* c);

/// C (m x n) = op(A) op(B) through the dense library chosen for the shape
/// (gemm_backends.cpp).
void dense_gemm(bool ta, bool tb, int m, int n, int k, const float* a, const float* b, float* c);
void dense_gemm(bool ta, bool tb, int m, int n, int k, const double* a, const double* b, double* c);

/// C (m x n) = round(op(A)) round(op(B)) with float32 accumulation, each
/// operand rounded to bfloat16 (autocast; gemm_bf16.cpp): on bfloat16
/// instructions where bf16_on_onednn() says so, else in float32 arithmetic.
void gemm_kernel_bf16(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k,
                      const float* a, const float* b, float* c);
/// Whether bfloat16 products run on oneDNN now (gemm_backends.cpp).
bool bf16_on_onednn();
/// oneDNN's bfloat16 product of operands given as bfloat16 bits; false if
/// this CPU has no bfloat16 kernel (then bf16_on_onednn() turns false).
bool bf16_gemm(bool ta, bool tb, int m, int n, int k, const std::uint16_t* a,
               const std::uint16_t* b, float* c);

}  // namespace ag::detail

// SPDX-License-Identifier: MIT
// Matrix products. One primitive, a batched GEMM with transpose flags,
// carries the derivative; matmul and linear are shapes around it. Backward
// passes transposes to the GEMM as flags, never copies, and uses the same
// primitive, so it differentiates again. The kernels are in gemm.cpp.
#include <algorithm>
#include <type_traits>

#include "autograd/autocast.hpp"
#include "autograd/ops/gemm.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag {
using namespace detail;

namespace {

Tensor gemm(const Tensor& a, const Tensor& b, bool ta, bool tb, bool bf16);
Tensor gemm_values(const Tensor& a, const Tensor& b, bool ta, bool tb, bool bf16);

// Whether a product of `dtype` operands recorded now runs in bfloat16
// (autocast.hpp); its backward products then do too.
bool in_bf16(DType dtype) { return is_autocast_enabled() && dtype == DType::float32; }

// C = op(A) op(B) per batch: dA = g op(B)^T (or its transpose), dB likewise
struct GemmAttrs {
  bool ta, tb, bf16;
};
void gemm_vjp(TensorNode& n, const Tensor& g) {
  const auto [ta, tb, bf16] = attrs<GemmAttrs>(n);
  const Tensor a = input(n, 0), b = input(n, 1);
  if (input_wants_grad(n, 0)) {
    accumulate_input(n, 0, ta ? gemm(b, g, tb, true, bf16) : gemm(g, b, false, !tb, bf16));
  }
  if (input_wants_grad(n, 1)) {
    accumulate_input(n, 1, tb ? gemm(g, a, true, ta, bf16) : gemm(a, g, !ta, false, bf16));
  }
}
const Op gemm_op{"matmul", "@", &tensor_kind, run_backward<gemm_vjp>};

// op(a) op(b), unrecorded. a: (batch, rows, cols) or (rows, cols), used as
// op(a); same for b, with the same rank and batch. 2-D operands need no
// reshape nodes around them.
Tensor gemm_values(const Tensor& a, const Tensor& b, bool ta, bool tb, bool bf16) {
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
    for (std::int64_t i = 0; i < batch && out.numel(); ++i) {  // an empty result: no batches
      if constexpr (std::is_same_v<T, float>) {
        if (bf16) {
          gemm_kernel_bf16(ta, tb, m, n, k, pa + i * m * k, pb + i * k * n, pc + i * m * n);
          continue;
        }
      }
      gemm_kernel(ta, tb, m, n, k, pa + i * m * k, pb + i * k * n, pc + i * m * n);
    }
  });
  return out;
}

Tensor gemm(const Tensor& a, const Tensor& b, bool ta, bool tb, bool bf16) {
  Tensor out = gemm_values(a, b, ta, tb, bf16);
  if (record(out, gemm_op, {a.node(), b.node()}))
    out.node()->attrs.emplace(GemmAttrs{ta, tb, bf16});
  return out;
}

// x Wᵀ + b in one node, so a diagram says "linear" with W's own shape, and
// the bias is added in the product's buffer: dx = g W, dW = gᵀ x, db = Σ g
// (summed over the rows by accumulate_grad)
const char* const kLinearOperands[] = {"input", "weight", "bias"};
struct LinearAttrs {
  bool bf16;
};
void linear_vjp(TensorNode& n, const Tensor& g) {
  const bool bf16 = attrs<LinearAttrs>(n).bf16;
  if (input_wants_grad(n, 0)) accumulate_input(n, 0, gemm(g, input(n, 1), false, false, bf16));
  if (input_wants_grad(n, 1)) accumulate_input(n, 1, gemm(g, input(n, 0), true, false, bf16));
  if (!n.more.empty()) accumulate_input(n, 2, g);
}
const Op linear_op{"linear", "linear",       &tensor_kind, run_backward<linear_vjp>,
                   nullptr,  kLinearOperands};

Shape batch_of(const Shape& s) { return Shape(s.begin(), s.end() - 2); }

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  if (a.dim() == 0 || b.dim() == 0) {
    fail<ShapeError>("matmul: both operands need at least 1 dim, got {} and {}", a.shape(),
                     b.shape());
  }
  // Vectors become matrices, as in PyTorch: (k) is (1, k) on the left and
  // (k, 1) on the right; the added dim is dropped from the result.
  const Tensor a2 = a.dim() == 1 ? unsqueeze(a, 0) : a;
  const Tensor b2 = b.dim() == 1 ? unsqueeze(b, 1) : b;
  const std::int64_t m = a2.shape()[a2.dim() - 2], k = a2.shape()[a2.dim() - 1];
  const std::int64_t kb = b2.shape()[b2.dim() - 2], n = b2.shape()[b2.dim() - 1];
  if (k != kb) {
    fail<ShapeError>("matmul: inner dimensions differ ({} vs {}) for shapes {} and {}", k, kb,
                     a.shape(), b.shape());
  }
  const bool bf16 = in_bf16(a.dtype());
  if (a.dim() == 2 && b.dim() == 2) return gemm(a, b, false, false, bf16);
  const Shape batch = broadcast_shapes(batch_of(a2.shape()), batch_of(b2.shape()), "matmul");
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
  return reshape(gemm(a3, b3, false, false, bf16), out_shape);
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  if (weight.dim() != 2 || x.dim() == 0 || x.shape().back() != weight.shape()[1]) {
    fail<ShapeError>("linear: input {} does not fit weight {} (out_features, in_features)",
                     x.shape(), weight.shape());
  }
  const std::int64_t in = weight.shape()[1];
  Shape out_shape = x.shape();
  out_shape.back() = weight.shape()[0];
  const Tensor x2 = x.dim() == 2 ? x : reshape(x, {-1, in});
  // A bias of shape (out_features) joins the node; any other broadcasts after.
  const bool fused_bias =
      bias.defined() && bias.shape() == Shape{weight.shape()[0]} && bias.dtype() == weight.dtype();
  const bool bf16 = in_bf16(x.dtype());
  Tensor y = gemm_values(x2, weight, false, true, bf16);
  if (fused_bias) {
    visit_floating(y.dtype(), "linear", [&](auto zero) {
      using T = decltype(zero);
      T* o = y.data<T>();
      const T* b = bias.data<T>();
      const std::int64_t rows = y.shape()[0], cols = y.shape()[1];
      parallel_for(rows, kParallelGrain / std::max<std::int64_t>(cols, 1),
                   [&](std::int64_t first, std::int64_t end) {
                     for (std::int64_t i = first; i < end; ++i)
                       for (std::int64_t j = 0; j < cols; ++j) o[i * cols + j] += b[j];
                   });
    });
  }
  const bool recorded = fused_bias ? record(y, linear_op, {x2.node(), weight.node(), bias.node()})
                                   : record(y, linear_op, {x2.node(), weight.node()});
  if (recorded) y.node()->attrs.emplace(LinearAttrs{bf16});
  if (x.dim() != 2) y = reshape(y, out_shape);
  return bias.defined() && !fused_bias ? y + bias : y;
}

// ---- LibTorch's spellings of products: checked shapes, then matmul --------------

Tensor mm(const Tensor& a, const Tensor& b) {
  if (a.dim() != 2 || b.dim() != 2) {
    fail<ShapeError>("mm: expects two matrices, got shapes {} and {}", a.shape(), b.shape());
  }
  return matmul(a, b);
}
Tensor bmm(const Tensor& a, const Tensor& b) {
  if (a.dim() != 3 || b.dim() != 3 || a.shape()[0] != b.shape()[0]) {
    fail<ShapeError>("bmm: expects two batches of matrices of one batch size, got {} and {}",
                     a.shape(), b.shape());
  }
  return matmul(a, b);
}
Tensor addmm(const Tensor& input, const Tensor& a, const Tensor& b, double beta, double alpha) {
  const Tensor product = mm(a, b);
  return (beta == 1.0 ? input : beta * input) + (alpha == 1.0 ? product : alpha * product);
}
Tensor outer(const Tensor& a, const Tensor& b) {
  if (a.dim() != 1 || b.dim() != 1) {
    fail<ShapeError>("outer: expects two vectors, got shapes {} and {}", a.shape(), b.shape());
  }
  return reshape(a, {a.numel(), 1}) * reshape(b, {1, b.numel()});
}

}  // namespace ag

// SPDX-License-Identifier: MIT
// Statistics of a tensor: prod, var, std, norm, cumsum. One block per op;
// var and std are compositions, the others ops whose backward is written
// with ops (so it differentiates again) and stays finite where the plain
// formula divides by zero (a zero in a product, a zero vector's norm).
#include <cmath>
#include <type_traits>

#include "autograd/ops/kernels.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag {
using namespace detail;

namespace {

struct DimAttrs {
  int dim;
  bool keepdim;
};

Tensor keep(const Tensor& t, const Shape& in, int dim) {
  Shape kept = in;
  kept[dim] = 1;
  return reshape(t, kept);
}

}  // namespace

namespace {
// Π along a dim: d/dx_i = Π_{j≠i} x_j. Away from zeros that is out / x_i;
// at the one zero of a slice it is the product of the rest; with two zeros
// it is 0 everywhere. Written with ops: the zero pattern is a constant mask.
void prod_vjp(TensorNode& n, const Tensor& g) {
  const auto [dim, keepdim] = attrs<DimAttrs>(n);
  const Tensor x = input(n, 0);
  const Tensor zero = zeros({}, x.dtype()), one = ones({}, x.dtype());
  const Tensor is_zero = eq(x.detach(), zero);
  const Tensor zeros_per_slice = sum(where(is_zero, one, zero), dim, true);
  const Tensor x_safe = where(is_zero, one, x);
  const Tensor out = keep(output(n), x.shape(), dim);
  const Tensor rest_of_zero = where(eq(zeros_per_slice, one), prod(x_safe, dim, true), zero);
  const Tensor others = where(is_zero, rest_of_zero, out / x_safe);
  accumulate_input(n, 0, keep(g, x.shape(), dim) * others);
}
const Op prod_op{"prod",
                 "prod",
                 &tensor_kind,
                 run_backward<prod_vjp>,
                 nullptr,
                 nullptr,
                 kSavesInputs | kSavesOutput};
}  // namespace
Tensor prod(const Tensor& x_in, std::optional<std::int64_t> dim, bool keepdim) {
  // int64 and bool multiply as int64 (as PyTorch), wrapping on overflow.
  const Tensor x = x_in.dtype() == DType::boolean ? x_in.to(DType::int64) : x_in;
  if (!dim) return prod(reshape(x, {-1}), 0, false);
  const int d = normalize_dim(*dim, x.shape().size(), "prod");
  Shape shape = x.shape();
  if (keepdim) {
    shape[d] = 1;
  } else {
    shape.resize(0);
    for (std::size_t k = 0; k < x.shape().size(); ++k)
      if (static_cast<int>(k) != d) shape.push_back(x.shape()[k]);
  }
  Tensor out = empty_tensor(shape, x.dtype(), "prod");
  visit_numeric(x.dtype(), "prod", [&](auto zero) {
    using T = decltype(zero);
    using Acc = std::conditional_t<std::is_integral_v<T>, std::uint64_t, T>;  // wraps, no UB
    const T* in = x.data<T>();
    T* o = out.data<T>();
    const auto [outer, size, inner] = lanes(x.shape(), d);
    for (std::int64_t a = 0; a < outer; ++a) {
      for (std::int64_t i = 0; i < inner; ++i) {
        Acc p = 1;
        for (std::int64_t k = 0; k < size; ++k)
          p *= static_cast<Acc>(in[(a * size + k) * inner + i]);
        o[a * inner + i] = static_cast<T>(p);
      }
    }
  });
  if (record(out, prod_op, {x.node()})) out.node()->attrs.emplace(DimAttrs{d, keepdim});
  return out;
}

// Σ (x - mean)² / (N - correction) over dims: a composition.
Tensor var(const Tensor& x, const Dims& dims, double correction, bool keepdim) {
  const Tensor m = mean(x, dims, true);
  const double count =
      static_cast<double>(x.numel()) / static_cast<double>(std::max<std::int64_t>(m.numel(), 1));
  const Tensor centered = x - m;
  return sum(centered * centered, dims, keepdim) / std::max(count - correction, 0.0);
}

Tensor std(const Tensor& x, const Dims& dims, double correction, bool keepdim) {
  return sqrt(var(x, dims, correction, keepdim));
}

namespace {
// (Σ |x|^p)^(1/p), or max |x| for p = ∞: d/dx = sign(x) |x|^(p-1) / norm^(p-1),
// taken as 0 where the norm is 0 (a subgradient, as PyTorch), never 0/0.
struct NormAttrs {
  double p;
  std::vector<int> dims;
  bool keepdim;
};
void norm_vjp(TensorNode& n, const Tensor& g) {
  const auto& [p, dims, keepdim] = attrs<NormAttrs>(n);
  const Tensor x = input(n, 0);
  const Tensor zero = zeros({}, x.dtype()), one = ones({}, x.dtype());
  Shape kept = x.shape();
  for (int d : dims) kept[d] = 1;
  const Tensor norm = reshape(output(n), kept), gk = reshape(g, kept);
  const Tensor norm_zero = eq(norm.detach(), zero);
  const Tensor sign = where(gt(x.detach(), zero), one, where(lt(x.detach(), zero), -one, zero));
  Tensor local;
  if (std::isinf(p)) {  // the gradient shared by the entries at the max
    const Tensor hit = where(eq(abs(x).detach(), norm.detach()), one, zero);
    local =
        sign * hit /
        where(norm_zero, one, sum(hit, std::vector<std::int64_t>(dims.begin(), dims.end()), true));
  } else {
    const Tensor magnitude = where(eq(x.detach(), zero), one, abs(x));
    local = where(eq(x.detach(), zero), zero, sign * pow(magnitude, p - 1.0)) /
            pow(where(norm_zero, one, norm), p - 1.0);
  }
  accumulate_input(n, 0, where(norm_zero, zero, gk * local));
}
const Op norm_op{"norm",
                 "norm",
                 &tensor_kind,
                 run_backward<norm_vjp>,
                 nullptr,
                 nullptr,
                 kSavesInputs | kSavesOutput};
}  // namespace
Tensor norm(const Tensor& x, double p, const Dims& dims, bool keepdim) {
  if (!(p > 0)) fail<ValueError>("norm: p = {} is not positive", p);
  Tensor out;
  std::vector<int> d;
  {
    NoGradGuard values_only;
    const Tensor a = abs(x);
    if (std::isinf(p)) {
      out = amax(a, dims, keepdim);
    } else if (p == 1) {
      out = sum(a, dims, keepdim);
    } else if (p == 2) {
      out = sqrt(sum(a * a, dims, keepdim));
    } else {
      out = pow(sum(pow(a, p), dims, keepdim), 1.0 / p);
    }
    out = out.detach();
    for (std::int64_t k : dims.vec()) d.push_back(normalize_dim(k, x.shape().size(), "norm"));
    if (d.empty())
      for (std::size_t k = 0; k < x.shape().size(); ++k) d.push_back(static_cast<int>(k));
  }
  if (record(out, norm_op, {x.node()})) out.node()->attrs.emplace(NormAttrs{p, d, keepdim});
  return out;
}

namespace {
// Running sums along a dim; the adjoint of a running sum is the running sum
// from the other end, so each direction is the other's backward.
struct CumsumAttrs {
  int dim;
  bool reverse;
};
Tensor cumsum_along(const Tensor& x, int dim, bool reverse);
void cumsum_vjp(TensorNode& n, const Tensor& g) {
  const auto [dim, reverse] = attrs<CumsumAttrs>(n);
  accumulate_input(n, 0, cumsum_along(g, dim, !reverse));
}
const Op cumsum_op{"cumsum", "cumsum", &tensor_kind, run_backward<cumsum_vjp>,
                   nullptr,  nullptr,  kSavesNothing};
Tensor cumsum_along(const Tensor& x_in, int dim, bool reverse) {
  // int64 and bool sum as int64 (as PyTorch), wrapping on overflow.
  const Tensor x = x_in.dtype() == DType::boolean ? x_in.to(DType::int64) : x_in;
  Tensor out = empty_tensor(x.shape(), x.dtype(), "cumsum");
  if (x.numel()) {
    visit_numeric(x.dtype(), "cumsum", [&](auto zero) {
      using T = decltype(zero);
      using Acc = std::conditional_t<std::is_integral_v<T>, std::uint64_t, T>;
      const T* in = x.data<T>();
      T* o = out.data<T>();
      const auto [outer, size, inner] = lanes(x.shape(), dim);
      for (std::int64_t a = 0; a < outer; ++a) {
        for (std::int64_t i = 0; i < inner; ++i) {
          Acc running = 0;
          for (std::int64_t step = 0; step < size; ++step) {
            const std::int64_t k = reverse ? size - 1 - step : step;
            running += static_cast<Acc>(in[(a * size + k) * inner + i]);
            o[(a * size + k) * inner + i] = static_cast<T>(running);
          }
        }
      }
    });
  }
  if (record(out, cumsum_op, {x.node()})) out.node()->attrs.emplace(CumsumAttrs{dim, reverse});
  return out;
}
}  // namespace
Tensor cumsum(const Tensor& x, std::int64_t dim) {
  return cumsum_along(x, normalize_dim(dim, x.shape().size(), "cumsum"), false);
}

// x1·x2 / (max(‖x1‖, eps) max(‖x2‖, eps)) along dim, as PyTorch 1.13's: each
// norm clamped at eps in value only (its gradient is the norm's), then the
// normalised vectors multiplied and summed.
Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, std::int64_t dim, double eps) {
  const Shape shape = broadcast_shapes(x1.shape(), x2.shape(), "cosine_similarity");
  const Tensor a = broadcast_to(x1, shape), b = broadcast_to(x2, shape);
  const int d = normalize_dim(dim, shape.size(), "cosine_similarity");
  const auto clamped_norm = [&](const Tensor& v) {
    const Tensor n = norm(v, 2.0, {d}, true);
    return n + (clamp(n.detach(), eps, std::nullopt) - n.detach());
  };
  return sum((a / clamped_norm(a)) * (b / clamped_norm(b)), {d});
}

}  // namespace ag

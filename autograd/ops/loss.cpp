// SPDX-License-Identifier: MIT
// The two binary cross-entropies, elementwise and unreduced (nn/loss.cpp
// weights and reduces them). They are ops of their own because PyTorch's
// clamping and gradient formulas differ from differentiating the forward.
// One block per op.
#include <cmath>

#include "autograd/ops/tensor_op.hpp"

namespace ag {
using namespace detail;

namespace {

void same_shape(std::string_view op, const Tensor& input, const Tensor& target) {
  if (input.shape() != target.shape()) {
    fail<ShapeError>("{}: input {} and target {} must have the same shape", op, input.shape(),
                     target.shape());
  }
  if (input.dtype() != target.dtype()) {
    fail<DTypeError>("{}: input is {} but target is {}", op, input.dtype(), target.dtype());
  }
}

const char* const kInputTarget[] = {"input", "target"};

}  // namespace

namespace {
// PyTorch clamps c(1-c) at float32's 1e-12, even in float64.
constexpr double kBceEps = static_cast<double>(1e-12f);

// -y·max(ln c, -100) - (1-y)·max(ln(1-c), -100):
// d/dc = (c - y) / max(c(1-c), ε), d/dy = max(ln(1-c), -100) - max(ln c, -100)
void bce_vjp(TensorNode& n, const Tensor& g) {
  const Tensor c = input(n, 0), y = input(n, 1);
  if (input_wants_grad(n, 0)) {
    accumulate_input(n, 0, g * (c - y) / clamp(c * (1.0 - c), kBceEps, std::nullopt));
  }
  if (input_wants_grad(n, 1)) {
    const Tensor log_c = clamp(log(c), -100.0, std::nullopt);
    const Tensor log_1c = clamp(log(1.0 - c), -100.0, std::nullopt);
    accumulate_input(n, 1, g * (log_1c - log_c));
  }
}
const Op bce_op{"binary_cross_entropy", "bce",   &tensor_kind,
                run_backward<bce_vjp>,  nullptr, kInputTarget};
}  // namespace
Tensor bce(const Tensor& input, const Tensor& target) {
  same_shape("binary_cross_entropy", input, target);
  Tensor loss = empty_tensor(input.shape(), input.dtype(), "binary_cross_entropy");
  visit_floating(input.dtype(), "binary_cross_entropy", [&](auto zero) {
    using T = decltype(zero);
    const T* c = input.data<T>();
    const T* y = target.data<T>();
    T* out = loss.data<T>();
    for (std::int64_t i = 0, n = input.numel(); i < n; ++i) {
      const T log_c = std::max(std::log(c[i]), T(-100));
      const T log_1c = std::max(std::log(T(1) - c[i]), T(-100));
      out[i] = -(y[i] * log_c + (T(1) - y[i]) * log_1c);
    }
  });
  record(loss, bce_op, {input.node(), target.node()});
  return loss;
}

namespace {
// (1-y)x + L·softplus(-x) with L = 1 + (pw-1)y:
// d/dx = L σ(x) - pw·y, d/dy = -x + (pw-1) softplus(-x)
struct PosWeightAttrs {
  Tensor pos_weight;  // undefined: 1
};
void bce_logits_vjp(TensorNode& n, const Tensor& g) {
  const Tensor x = input(n, 0), y = input(n, 1);
  const Tensor& pw = attrs<PosWeightAttrs>(n).pos_weight;
  const Tensor scale = pw.defined() ? 1.0 + (pw - 1.0) * y : ones({}, x.dtype());
  const Tensor positive = pw.defined() ? pw * y : y;
  if (input_wants_grad(n, 0)) accumulate_input(n, 0, g * (scale * sigmoid(x) - positive));
  if (input_wants_grad(n, 1)) {
    const Tensor softplus_neg = log(1.0 + exp(-abs(x))) + relu(-x);
    const Tensor dy = pw.defined() ? -x + (pw - 1.0) * softplus_neg : -x;
    accumulate_input(n, 1, g * dy);
  }
}
const Op bce_logits_op{"binary_cross_entropy_with_logits", "bce_logits", &tensor_kind,
                       run_backward<bce_logits_vjp>,       nullptr,      kInputTarget};
}  // namespace
Tensor bce_with_logits(const Tensor& input, const Tensor& target, const Tensor& pos_weight) {
  same_shape("binary_cross_entropy_with_logits", input, target);
  Tensor loss;
  {
    NoGradGuard no_grad;  // values only; the op's own gradient is above
    const Tensor softplus_neg = log(1.0 + exp(-abs(input))) + relu(-input);
    const Tensor scale = pos_weight.defined() ? 1.0 + (pos_weight - 1.0) * target : Tensor();
    loss = (1.0 - target) * input + (scale.defined() ? scale * softplus_neg : softplus_neg);
    loss = loss.detach();
  }
  if (record(loss, bce_logits_op, {input.node(), target.node()})) {
    loss.node()->attrs.emplace(PosWeightAttrs{pos_weight});
  }
  return loss;
}

}  // namespace ag

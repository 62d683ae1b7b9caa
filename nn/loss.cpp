// Losses. The two binary cross-entropies are ops of their own (PyTorch's
// clamping and its gradient formulas differ from differentiating the
// forward); the rest are compositions of tensor ops.
#include "nn/loss.hpp"

#include <cmath>

#include "autograd/ops.hpp"
#include "autograd/ops/kernels.hpp"
#include "autograd/ops/tensor_op.hpp"

namespace ag::nn {
namespace {

using detail::Node;
using detail::Op;

Tensor reduce(const Tensor& loss, Reduction reduction) {
  switch (reduction) {
    case Reduction::mean:
      return mean(loss);
    case Reduction::sum:
      return sum(loss);
    case Reduction::none:
      return loss;
  }
  return loss;
}

void same_shape(std::string_view op, const Tensor& input, const Tensor& target) {
  if (input.shape() != target.shape()) {
    detail::fail<ShapeError>("{}: input {} and target {} must have the same shape", op,
                             input.shape(), target.shape());
  }
  if (input.dtype() != target.dtype()) {
    detail::fail<DTypeError>("{}: input is {} but target is {}", op, input.dtype(), target.dtype());
  }
}

// PyTorch clamps c(1-c) at float32's 1e-12, even in float64.
constexpr double kBceEps = static_cast<double>(1e-12f);

// Elementwise -y·max(ln c, -100) - (1-y)·max(ln(1-c), -100); in[0] = c, in[1] = y
void bce_vjp(Node& n, const Tensor& g) {
  const Tensor c = detail::input(n, 0), y = detail::input(n, 1);
  if (detail::input_wants_grad(n, 0)) {
    detail::accumulate_input(n, 0, g * (c - y) / clamp(c * (1.0 - c), kBceEps, std::nullopt));
  }
  if (detail::input_wants_grad(n, 1)) {
    const Tensor log_c = clamp(log(c), -100.0, std::nullopt);
    const Tensor log_1c = clamp(log(1.0 - c), -100.0, std::nullopt);
    detail::accumulate_input(n, 1, g * (log_1c - log_c));
  }
}
const Op bce_op{"binary_cross_entropy", "bce", &detail::tensor_kind, detail::run_backward<bce_vjp>};

// Elementwise (1-y)x + L·softplus(-x), L = 1 + (pw-1)y; in[0] = x, in[1] = y,
// saved[0] = pos_weight (or undefined)
void bce_logits_vjp(Node& n, const Tensor& g) {
  const Tensor x = detail::input(n, 0), y = detail::input(n, 1);
  const Tensor& pw = detail::as_tensor(n).saved[0];
  const Tensor scale = pw.defined() ? 1.0 + (pw - 1.0) * y : ones({}, x.dtype());
  const Tensor positive = pw.defined() ? pw * y : y;
  if (detail::input_wants_grad(n, 0)) {
    detail::accumulate_input(n, 0, g * (scale * sigmoid(x) - positive));
  }
  if (detail::input_wants_grad(n, 1)) {
    const Tensor softplus_neg = log(1.0 + exp(-abs(x))) + relu(-x);
    const Tensor dy = pw.defined() ? -x + (pw - 1.0) * softplus_neg : -x;
    detail::accumulate_input(n, 1, detail::sum_to(g * dy, y.shape()));
  }
}
const Op bce_logits_op{"binary_cross_entropy_with_logits", "bce_logits", &detail::tensor_kind,
                       detail::run_backward<bce_logits_vjp>};

}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  same_shape("mse_loss", input, target);
  const Tensor diff = input - target;
  return reduce(diff * diff, reduction);
}

Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  same_shape("l1_loss", input, target);
  return reduce(abs(input - target), reduction);
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                            Reduction reduction) {
  same_shape("binary_cross_entropy", input, target);
  Tensor loss = detail::empty_tensor(input.shape(), input.dtype(), "binary_cross_entropy");
  detail::visit_floating(input.dtype(), "binary_cross_entropy", [&](auto zero) {
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
  detail::record(loss, bce_op, {input.node(), target.node()});
  return reduce(weight.defined() ? loss * weight : loss, reduction);
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const Tensor& weight, const Tensor& pos_weight,
                                        Reduction reduction) {
  same_shape("binary_cross_entropy_with_logits", input, target);
  Tensor loss;
  {
    NoGradGuard no_grad;  // values only; the op's own gradient is below
    const Tensor softplus_neg = log(1.0 + exp(-abs(input))) + relu(-input);
    const Tensor scale = pos_weight.defined() ? 1.0 + (pos_weight - 1.0) * target : Tensor();
    loss = (1.0 - target) * input + (scale.defined() ? scale * softplus_neg : softplus_neg);
    loss = loss.detach();
  }
  if (detail::record(loss, bce_logits_op, {input.node(), target.node()})) {
    loss.node()->saved = {pos_weight};
  }
  return reduce(weight.defined() ? loss * weight : loss, reduction);
}

Tensor nll_loss(const Tensor& log_probs, const Tensor& target, const Tensor& weight,
                std::int64_t ignore_index, Reduction reduction) {
  if (log_probs.dim() != 2 || target.dim() != 1 || target.numel() != log_probs.shape()[0]) {
    detail::fail<ShapeError>("nll_loss: expected input (N, C) and target (N), got {} and {}",
                             log_probs.shape(), target.shape());
  }
  if (target.dtype() != DType::int64) {
    detail::fail<DTypeError>("nll_loss: class targets must be int64, not {}", target.dtype());
  }
  const std::int64_t n = target.numel(), classes = log_probs.shape()[1];
  std::vector<std::int64_t> safe(n);
  std::vector<double> valid(n);
  const std::int64_t* t = target.data<std::int64_t>();
  for (std::int64_t i = 0; i < n; ++i) {
    valid[i] = t[i] == ignore_index ? 0.0 : 1.0;
    safe[i] = t[i] == ignore_index ? 0 : t[i];
    if (safe[i] < 0 || safe[i] >= classes) {
      detail::fail<IndexError>("nll_loss: target {} at row {} is not a class in [0, {})", t[i], i,
                               classes);
    }
  }
  const Tensor safe_target = index_tensor(safe);
  const Tensor picked = reshape(gather(log_probs, 1, reshape(safe_target, {n, 1})), {n});
  Tensor w = Tensor::from(valid, {n}).to(log_probs.dtype());
  if (weight.defined()) w = w * index_select(weight, 0, safe_target);
  const Tensor loss = -(w * picked);
  if (reduction == Reduction::mean) return sum(loss) / sum(w);
  return reduce(loss, reduction);
}

Tensor cross_entropy(const Tensor& logits, const Tensor& target,
                     const CrossEntropyOptions& options) {
  if (logits.dim() != 2) {
    detail::fail<ShapeError>("cross_entropy: expected logits (N, C), got {}", logits.shape());
  }
  const double eps = options.label_smoothing;
  if (eps < 0.0 || eps > 1.0) {
    detail::fail<ValueError>("cross_entropy: label_smoothing {} is not in [0, 1]", eps);
  }
  const std::int64_t classes = logits.shape()[1];
  const Tensor log_probs = log_softmax(logits, 1);
  const Tensor weighted =
      options.weight.defined() ? log_probs * options.weight : log_probs;  // (N, C)
  if (is_floating(target.dtype())) {                                      // class probabilities
    if (target.shape() != logits.shape()) {
      detail::fail<ShapeError>("cross_entropy: probability targets {} must match logits {}",
                               target.shape(), logits.shape());
    }
    const Tensor y = eps > 0.0 ? target * (1.0 - eps) + eps / static_cast<double>(classes) : target;
    const Tensor loss = -sum(weighted * y, {1});
    return reduce(loss, options.reduction);
  }
  const Tensor nll =
      nll_loss(log_probs, target, options.weight, options.ignore_index, options.reduction);
  if (eps == 0.0) return nll;
  // PyTorch 1.13: the smoothing term is Σ_c -w_c log ŷ_c per row, zero on
  // ignored rows; its mean divides by Σ w[t_i] with weights, else by N.
  const Tensor ignored =
      eq(target, full({}, static_cast<double>(options.ignore_index), DType::int64));
  const Tensor smooth = where(ignored, zeros({}, logits.dtype()), -sum(weighted, {1}));
  Tensor smooth_reduced;
  if (options.reduction == Reduction::mean && options.weight.defined()) {
    const Tensor valid = where(ignored, zeros({}, logits.dtype()), ones({}, logits.dtype()));
    std::vector<std::int64_t> safe;
    for (double t : target.to_vector()) {
      safe.push_back(
          static_cast<std::int64_t>(t) == options.ignore_index ? 0 : static_cast<std::int64_t>(t));
    }
    smooth_reduced = sum(smooth) / sum(valid * index_select(options.weight, 0, index_tensor(safe)));
  } else {
    smooth_reduced = reduce(smooth, options.reduction);
  }
  return (1.0 - eps) * nll + smooth_reduced * (eps / static_cast<double>(classes));
}

}  // namespace ag::nn

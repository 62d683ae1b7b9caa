// SPDX-License-Identifier: MIT
// Losses: compositions of tensor ops (the two binary cross-entropies'
// elementwise ops are ag::bce and ag::bce_with_logits, ops/loss.cpp).
#include "autograd/nn/loss.hpp"

#include <cmath>
#include <optional>

#include "autograd/ops.hpp"
#include "autograd/scope.hpp"

namespace ag::nn {
namespace {

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

// Class scores of shape (N, C, d1, ...) or (C) as rows (M, C), the target
// to match (indices (M) or probabilities (M, C)), and the shape the
// per-element loss has (N, d1, ...) or (); nothing for (N, C) already.
struct ClassRows {
  Tensor input, target;
  Shape loss_shape;
};
std::optional<ClassRows> as_rows(const Tensor& input, const Tensor& target, std::string_view op) {
  if (input.dim() == 2) return std::nullopt;
  if (input.dim() == 0)
    detail::fail<ShapeError>("{}: input must have a class dim, got {}", op, input.shape());
  const bool probabilities = is_floating(target.dtype());
  if (input.dim() == 1) {
    const Shape want = probabilities ? input.shape() : Shape{};
    if (target.shape() != want) {
      detail::fail<ShapeError>("{}: for input {} the target must be {}, got {}", op, input.shape(),
                               want, target.shape());
    }
    return ClassRows{unsqueeze(input, 0), unsqueeze(target, 0), {}};
  }
  std::vector<std::int64_t> class_last{0};
  Shape loss_shape{input.shape()[0]};
  for (std::int64_t k = 2; k < input.dim(); ++k) {
    class_last.push_back(k);
    loss_shape.push_back(input.shape()[k]);
  }
  class_last.push_back(1);
  const std::int64_t classes = input.shape()[1];
  const Shape want = probabilities ? input.shape() : loss_shape;
  if (target.shape() != want) {
    detail::fail<ShapeError>("{}: for input {} the target must be {}, got {}", op, input.shape(),
                             want, target.shape());
  }
  const Tensor rows = reshape(permute(input, class_last), {-1, classes});
  const Tensor t =
      probabilities ? reshape(permute(target, class_last), {-1, classes}) : reshape(target, {-1});
  return ClassRows{rows, t, loss_shape};
}

Tensor unrow(const Tensor& loss, const ClassRows& rows, Reduction reduction) {
  return reduction == Reduction::none ? reshape(loss, rows.loss_shape) : loss;
}

}  // namespace

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction reduction, double beta) {
  const NameScope scope("smooth_l1_loss", "loss");
  same_shape("smooth_l1_loss", input, target);
  if (!(beta >= 0) || !std::isfinite(beta)) {
    detail::fail<ValueError>("smooth_l1_loss: beta = {} is not a finite number >= 0", beta);
  }
  const Tensor d = abs(input - target);
  if (beta == 0) return reduce(d, reduction);
  return reduce(where(lt(d, beta), 0.5 * d * d / beta, d - 0.5 * beta), reduction);
}

Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction reduction, double delta) {
  const NameScope scope("huber_loss", "loss");
  same_shape("huber_loss", input, target);
  if (!(delta > 0) || !std::isfinite(delta)) {
    detail::fail<ValueError>("huber_loss: delta = {} is not a finite number > 0", delta);
  }
  const Tensor d = abs(input - target);
  return reduce(where(le(d, delta), 0.5 * d * d, delta * (d - 0.5 * delta)), reduction);
}

Tensor kl_div(const Tensor& input, const Tensor& target, KLReduction reduction, bool log_target) {
  const NameScope scope("kl_div", "loss");
  same_shape("kl_div", input, target);
  // 0 log 0 = 0, as PyTorch's xlogy: log of 1 where the target is 0.
  const Tensor pointwise =
      log_target
          ? exp(target) * (target - input)
          : target * (log(where(eq(target.detach(), 0.0), ones_like(target), target)) - input);
  switch (reduction) {
    case KLReduction::batchmean:
      return input.dim() == 0 ? sum(pointwise)
                              : sum(pointwise) / static_cast<double>(input.shape()[0]);
    case KLReduction::mean:
      return mean(pointwise);
    case KLReduction::sum:
      return sum(pointwise);
    case KLReduction::none:
      return pointwise;
  }
  return pointwise;
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  const NameScope scope("mse_loss", "loss");
  same_shape("mse_loss", input, target);
  const Tensor diff = input - target;
  return reduce(diff * diff, reduction);
}

Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  const NameScope scope("l1_loss", "loss");
  same_shape("l1_loss", input, target);
  return reduce(abs(input - target), reduction);
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                            Reduction reduction) {
  const NameScope scope("binary_cross_entropy", "loss");
  const Tensor loss = bce(input, target);
  return reduce(weight.defined() ? loss * weight : loss, reduction);
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const Tensor& weight, const Tensor& pos_weight,
                                        Reduction reduction) {
  const NameScope scope("binary_cross_entropy_with_logits", "loss");
  const Tensor loss = bce_with_logits(input, target, pos_weight);
  return reduce(weight.defined() ? loss * weight : loss, reduction);
}

Tensor nll_loss(const Tensor& log_probs, const Tensor& target, const Tensor& weight,
                std::int64_t ignore_index, Reduction reduction) {
  if (auto rows = as_rows(log_probs, target, "nll_loss")) {
    return unrow(nll_loss(rows->input, rows->target, weight, ignore_index, reduction), *rows,
                 reduction);
  }
  const NameScope scope("nll_loss", "loss");
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
  if (auto rows = as_rows(logits, target, "cross_entropy")) {
    return unrow(cross_entropy(rows->input, rows->target, options), *rows, options.reduction);
  }
  const NameScope scope("cross_entropy", "loss");
  if (logits.dim() != 2) {
    detail::fail<ShapeError>("cross_entropy: expected logits (N, C), got {}", logits.shape());
  }
  const double eps = options.label_smoothing;
  if (!(eps >= 0.0 && eps <= 1.0)) {
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

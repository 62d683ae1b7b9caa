// SPDX-License-Identifier: MIT
// Losses, functional and as modules, with PyTorch's definitions.
#pragma once

#include <optional>
#include <string>

#include "autograd/nn/module.hpp"
#include "autograd/tensor.hpp"

namespace ag::nn {

/// How per-element losses are combined.
enum class Reduction { mean, sum, none };

/// (input - target)², reduced.
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean);
/// |input - target|, reduced.
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean);

/// 0.5 d²/β where |d| < β, else |d| - 0.5 β, d = input - target
/// (torch.nn.functional.smooth_l1_loss); β = 0 is l1_loss.
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target,
                      Reduction reduction = Reduction::mean, double beta = 1.0);
/// 0.5 d² where |d| <= δ, else δ (|d| - 0.5 δ) (torch.nn.functional.huber_loss):
/// smooth_l1_loss times δ.
Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean,
                  double delta = 1.0);
/// How kl_div reduces: PyTorch's reductions, and batchmean (the sum over the
/// batch size input.size(0): the true KL divergence per example).
enum class KLReduction { mean, batchmean, sum, none };
/// target · (log target - input) pointwise, with input log-probabilities
/// and target probabilities (0 where target is 0), or target log-probabilities
/// with `log_target`: e^target (target - input) (torch.nn.functional.kl_div).
Tensor kl_div(const Tensor& input, const Tensor& target, KLReduction reduction = KLReduction::mean,
              bool log_target = false);

/// The lecture's L(c, y) = -y ln c - (1-y) ln(1-c) on probabilities c. As
/// PyTorch: each log is clamped at -100, and the gradient is
/// (c - y) / max(c(1-c), ε) with ε = float32(1e-12). `weight` rescales
/// elements (broadcast).
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                            const Tensor& weight = Tensor(), Reduction reduction = Reduction::mean);

/// The same on logits x, computed stably (finite at ±1000):
/// (1-y) x + (1 + (pw-1) y)(log(1 + e^-|x|) + max(-x, 0)); `pos_weight` pw
/// weights positives (broadcast over the last dim), `weight` all elements.
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const Tensor& weight = Tensor(),
                                        const Tensor& pos_weight = Tensor(),
                                        Reduction reduction = Reduction::mean);

/// -weight[t_i]·input[i][t_i] for class indices t (int64); rows with
/// t_i = ignore_index count for nothing. The mean divides by Σ weight[t_i].
/// Input (N, C) with target (N), or (N, C, d1, ...) with target (N, d1, ...)
/// (a class per position, as PyTorch), or (C) with a 0-d target; reduction
/// none gives the loss in the target's shape. The same for cross_entropy
/// (with probability targets of the input's shape).
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, const Tensor& weight = Tensor(),
                std::int64_t ignore_index = -100, Reduction reduction = Reduction::mean);

/// cross_entropy's settings, as torch.nn.functional.cross_entropy's.
struct CrossEntropyOptions {
  Tensor weight = Tensor();               ///< per-class weights (C), optional
  std::int64_t ignore_index = -100;       ///< class-index targets only
  Reduction reduction = Reduction::mean;  ///< mean, sum or none
  double label_smoothing = 0.0;           ///< ε in [0, 1]
};

/// Cross-entropy from logits (N, C) — the lecture's -Σ_k y_k log ŷ_k with
/// ŷ = softmax(logits), which for one true class c is -log ŷ_c. `target` is
/// class indices (int64, N) or class probabilities (float, N×C). Fused as
/// nll_loss(log_softmax(logits)), finite for logits of ±1000. With label
/// smoothing ε: (1-ε)·loss + (ε/C)·Σ_c -log ŷ_c.
Tensor cross_entropy(const Tensor& logits, const Tensor& target,
                     const CrossEntropyOptions& options = {});

/// Module forms of the losses: each keeps its settings and is called as
/// `loss(input, target)`. This one is mse_loss.
class MSELoss {
 public:
  /// With reduction `r`.
  explicit MSELoss(Reduction r = Reduction::mean) : r_(r) {}
  /// mse_loss(input, target, r).
  Tensor operator()(const Tensor& input, const Tensor& target) const {
    return mse_loss(input, target, r_);
  }

 private:
  Reduction r_;
};
/// l1_loss as a module.
class L1Loss {
 public:
  /// With reduction `r`.
  explicit L1Loss(Reduction r = Reduction::mean) : r_(r) {}
  /// l1_loss(input, target, r).
  Tensor operator()(const Tensor& input, const Tensor& target) const {
    return l1_loss(input, target, r_);
  }

 private:
  Reduction r_;
};
/// nll_loss as a module.
class NLLLoss {
 public:
  /// With class weights, an ignored index and a reduction.
  explicit NLLLoss(Tensor weight = Tensor(), std::int64_t ignore_index = -100,
                   Reduction r = Reduction::mean)
      : weight_(std::move(weight)), ignore_index_(ignore_index), r_(r) {}
  /// nll_loss with those settings.
  Tensor operator()(const Tensor& log_probs, const Tensor& target) const {
    return nll_loss(log_probs, target, weight_, ignore_index_, r_);
  }

 private:
  Tensor weight_;
  std::int64_t ignore_index_;
  Reduction r_;
};
/// binary_cross_entropy as a module.
class BCELoss {
 public:
  /// With reduction `r`.
  explicit BCELoss(Reduction r = Reduction::mean) : r_(r) {}
  /// binary_cross_entropy(input, target, {}, r).
  Tensor operator()(const Tensor& input, const Tensor& target) const {
    return binary_cross_entropy(input, target, Tensor(), r_);
  }

 private:
  Reduction r_;
};
/// binary_cross_entropy_with_logits as a module.
class BCEWithLogitsLoss {
 public:
  /// With positive-class weights and a reduction.
  explicit BCEWithLogitsLoss(Tensor pos_weight = Tensor(), Reduction r = Reduction::mean)
      : pos_weight_(std::move(pos_weight)), r_(r) {}
  /// binary_cross_entropy_with_logits with those settings.
  Tensor operator()(const Tensor& input, const Tensor& target) const {
    return binary_cross_entropy_with_logits(input, target, Tensor(), pos_weight_, r_);
  }

 private:
  Tensor pos_weight_;
  Reduction r_;
};
/// cross_entropy as a module.
class CrossEntropyLoss {
 public:
  /// With `options`.
  explicit CrossEntropyLoss(CrossEntropyOptions options = {}) : options_(std::move(options)) {}
  /// cross_entropy(logits, target, options).
  Tensor operator()(const Tensor& logits, const Tensor& target) const {
    return cross_entropy(logits, target, options_);
  }

 private:
  CrossEntropyOptions options_;
};

}  // namespace ag::nn

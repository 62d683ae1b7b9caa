// SPDX-License-Identifier: MIT
// Attention: scaled dot-product attention with masks, multi-head attention
// with PyTorch's parameters, and position embeddings (learned and
// sinusoidal). Compositions of matmul, softmax and masked_fill, so
// gradients of any order come from those.
#pragma once

#include <memory>
#include <string>

#include "autograd/generator.hpp"
#include "autograd/nn/layers.hpp"
#include "autograd/nn/module.hpp"

namespace ag::nn {

/// softmax(q kᵀ / √E + mask) v over the last two dims (batch dims
/// broadcast), as PyTorch 2's F.scaled_dot_product_attention: q (..., L,
/// E), k (..., S, E), v (..., S, E_v) give (..., L, E_v). `attn_mask`
/// broadcasts to (..., L, S): bool, true where a query may attend (PyTorch
/// 2's convention), or float, added to the scores. `is_causal` lets query i
/// see keys 0..i only. Dropout with probability dropout_p on the weights
/// (only when it is > 0). A row that may attend nowhere gives NaN, as PyTorch.
Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                                    const Tensor& attn_mask = Tensor(), double dropout_p = 0.0,
                                    bool is_causal = false, Generator& gen = default_generator());

/// Multi-head attention's results: the output and the attention weights.
struct AttentionOutput {
  Tensor output;   ///< (L, N, E), (N, L, E) batch first, or (L, E) unbatched
  Tensor weights;  ///< (N, L, S) averaged over heads, or (N, H, L, S); undefined if not asked
};

/// torch.nn.MultiheadAttention (equal query, key and value sizes):
/// in_proj_weight (3E, E) xavier-uniform, in_proj_bias (3E) zeros, and the
/// out_proj Linear (bias zeros). Masks follow torch.nn.MultiheadAttention's
/// convention, the opposite of scaled_dot_product_attention's for bool:
/// key_padding_mask (N, S) bool, true for keys to ignore, or float added;
/// attn_mask (L, S)
/// or (N·H, L, S), bool true where attending is not allowed, or float added.
class MultiheadAttention : public Module {
 public:
  /// embed_dim split over num_heads heads; dropout on the weights in training.
  MultiheadAttention(std::int64_t embed_dim, std::int64_t num_heads, double dropout = 0.0,
                     bool bias = true, bool batch_first = false, DType dtype = default_dtype(),
                     Generator& gen = default_generator());
  /// Attention of `query` to `key`/`value`; weights averaged over heads
  /// unless `average_weights` is false; none unless `need_weights`.
  AttentionOutput attend(const Tensor& query, const Tensor& key, const Tensor& value,
                         const Tensor& key_padding_mask = Tensor(),
                         const Tensor& attn_mask = Tensor(), bool need_weights = true,
                         bool average_weights = true);
  /// Self-attention: attend(x, x, x).output.
  Tensor forward(const Tensor& x) override;
  /// (query, key, value[, key_padding_mask[, attn_mask]]): the output.
  Tensor forward_many(const std::vector<Tensor>& inputs) override;
  std::string name() const override;
  Tensor in_proj_weight;             ///< (3·embed_dim, embed_dim): W_q, W_k, W_v stacked
  Tensor in_proj_bias;               ///< (3·embed_dim), zeros; undefined without bias
  std::shared_ptr<Linear> out_proj;  ///< embed_dim → embed_dim

 private:
  std::int64_t embed_dim_, heads_;
  double dropout_;
  bool batch_first_;
  Generator* gen_;  // keep_generator(): nullptr draws from the running thread's default
};

/// The fixed encoding of "Attention Is All You Need": row p is
/// sin(p / 10000^(2i/dim)) at column 2i and cos(...) at 2i + 1; (length, dim).
Tensor sinusoidal_positions(std::int64_t length, std::int64_t dim, DType dtype = default_dtype());

/// x (..., T, dim) plus the sinusoidal encoding of its T positions, up to
/// max_len. Holds no parameters or buffers: the table is a function of its sizes.
class SinusoidalPositionalEncoding : public Module {
 public:
  /// Positions 0..max_len-1 of `dim` features.
  SinusoidalPositionalEncoding(std::int64_t dim, std::int64_t max_len = 5000,
                               DType dtype = default_dtype());
  Tensor forward(const Tensor& x) override;
  std::string name() const override;

 private:
  Tensor table_;
};

/// x (..., T, dim) plus a learned row per position (weight (max_len, dim),
/// N(0, 1) as Embedding's); ShapeError past max_len.
class LearnedPositionalEmbedding : public Module {
 public:
  /// Positions 0..max_len-1 of `dim` features.
  LearnedPositionalEmbedding(std::int64_t max_len, std::int64_t dim, DType dtype = default_dtype(),
                             Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;
  std::string name() const override;
  Tensor weight;  ///< (max_len, dim)
};

}  // namespace ag::nn

// SPDX-License-Identifier: MIT
#include "autograd/nn/attention.hpp"

#include <cmath>
#include <limits>

#include "autograd/nn/init.hpp"

namespace ag::nn {
namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

// A float mask from a bool one: -inf where `blocked` is true, else 0.
Tensor blocking(const Tensor& blocked, DType dtype) {
  return masked_fill(zeros(blocked.shape(), dtype), blocked, -kInf);
}

// The sum of two float masks, either possibly undefined.
Tensor both(const Tensor& a, const Tensor& b) {
  return !a.defined() ? b : !b.defined() ? a : a + b;
}

// softmax(scores + mask) v, the weights kept; `additive` is a float mask.
AttentionOutput attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& additive,
                          double dropout_p, bool training, Generator& gen) {
  Tensor scores =
      matmul(q, transpose(k, -2, -1)) * (1.0 / std::sqrt(static_cast<double>(q.size(-1))));
  if (additive.defined()) scores = scores + additive;
  Tensor weights = softmax(scores, -1);
  if (training && dropout_p > 0.0) weights = dropout(weights, dropout_p, true, gen);
  return {matmul(weights, v), weights};
}

void check_qkv(const Tensor& q, const Tensor& k, const Tensor& v, const char* op) {
  if (q.dim() < 2 || k.dim() < 2 || v.dim() < 2 || q.size(-1) != k.size(-1) ||
      k.size(-2) != v.size(-2)) {
    detail::fail<ShapeError>("{}: q {}, k {}, v {} must be (..., L, E), (..., S, E), (..., S, E_v)",
                             op, q.shape(), k.shape(), v.shape());
  }
}
}  // namespace

Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v,
                                    const Tensor& attn_mask, double dropout_p, bool is_causal,
                                    Generator& gen) {
  check_qkv(q, k, v, "scaled_dot_product_attention");
  if (!(dropout_p >= 0.0 && dropout_p <= 1.0)) {
    detail::fail<ValueError>("scaled_dot_product_attention: dropout_p {} is not in [0, 1]",
                             dropout_p);
  }
  const std::int64_t length = q.size(-2), keys = k.size(-2);
  Tensor additive;
  if (attn_mask.defined()) {
    additive = attn_mask.dtype() == DType::boolean  // true here means "may attend"
                   ? blocking(lt(attn_mask.to(q.dtype()), 0.5), q.dtype())
                   : attn_mask;
  }
  if (is_causal) {
    const Tensor above = triu(ones({length, keys}, q.dtype()), 1).to(DType::boolean);
    additive = both(additive, blocking(above, q.dtype()));
  }
  return attention(q, k, v, additive, dropout_p, dropout_p > 0.0, gen).output;
}

MultiheadAttention::MultiheadAttention(std::int64_t embed_dim, std::int64_t num_heads,
                                       double dropout, bool bias, bool batch_first, DType dtype,
                                       Generator& gen)
    : embed_dim_(embed_dim),
      heads_(num_heads),
      dropout_(dropout),
      batch_first_(batch_first),
      gen_(keep_generator(gen)) {
  if (embed_dim < 1 || num_heads < 1 || embed_dim % num_heads != 0) {
    detail::fail<ShapeError>("MultiheadAttention: embed_dim {} must split into {} heads", embed_dim,
                             num_heads);
  }
  if (!(dropout >= 0.0 && dropout <= 1.0)) {
    detail::fail<ValueError>("MultiheadAttention: dropout {} is not in [0, 1]", dropout);
  }
  Tensor w = empty({3 * embed_dim, embed_dim}, dtype);
  init::xavier_uniform_(w, 1.0, gen);
  in_proj_weight = register_parameter("in_proj_weight", w);
  if (bias) in_proj_bias = register_parameter("in_proj_bias", zeros({3 * embed_dim}, dtype));
  out_proj =
      register_module("out_proj", std::make_shared<Linear>(embed_dim, embed_dim, bias, dtype, gen));
  if (bias) {
    const NoGradGuard no_grad;
    out_proj->bias.assign(zeros({embed_dim}, dtype));
  }
}

AttentionOutput MultiheadAttention::attend(const Tensor& query, const Tensor& key,
                                           const Tensor& value, const Tensor& key_padding_mask,
                                           const Tensor& attn_mask, bool need_weights,
                                           bool average_weights) {
  const std::int64_t e = embed_dim_, h = heads_, head_dim = e / h;
  const bool batched = query.dim() == 3;
  auto to_batch_first = [&](const Tensor& t) {
    if (t.dim() != query.dim() || (t.dim() != 2 && t.dim() != 3) || t.size(-1) != e) {
      detail::fail<ShapeError>(
          "MultiheadAttention: query {}, key {}, value {} must be (L, N, {}) "
          "(or batch first, or unbatched (L, {}))",
          query.shape(), key.shape(), value.shape(), e, e);
    }
    return !batched ? unsqueeze(t, 0) : batch_first_ ? t : transpose(t, 0, 1);
  };
  const Tensor q_in = to_batch_first(query), k_in = to_batch_first(key),
               v_in = to_batch_first(value);
  const std::int64_t n = q_in.size(0), length = q_in.size(1), keys = k_in.size(1);
  if (k_in.size(0) != n || v_in.size(0) != n || v_in.size(1) != keys) {
    detail::fail<ShapeError>(
        "MultiheadAttention: query {}, key {}, value {} disagree in batch or "
        "keys",
        query.shape(), key.shape(), value.shape());
  }
  auto project = [&](const Tensor& x, std::int64_t part) {  // (N, T, E) -> (N, H, T, hd)
    const Tensor w = slice(in_proj_weight, 0, part * e, (part + 1) * e);
    const Tensor b =
        in_proj_bias.defined() ? slice(in_proj_bias, 0, part * e, (part + 1) * e) : Tensor();
    return permute(reshape(linear(x, w, b), {n, x.size(1), h, head_dim}), {0, 2, 1, 3});
  };
  // A float mask broadcasting to (N, H, L, S): -inf where attending is not allowed.
  Tensor additive;
  if (attn_mask.defined()) {
    const Shape shared{length, keys}, per_head{n * h, length, keys};
    if (attn_mask.shape() != shared && attn_mask.shape() != per_head) {
      detail::fail<ShapeError>("MultiheadAttention: attn_mask must be {} or {}, got {}", shared,
                               per_head, attn_mask.shape());
    }
    additive = attn_mask.dtype() == DType::boolean ? blocking(attn_mask, q_in.dtype()) : attn_mask;
    if (additive.dim() == 3) additive = reshape(additive, {n, h, length, keys});
  }
  if (key_padding_mask.defined()) {
    // bool (true: ignore that key) or, as PyTorch, a float mask of the
    // query's dtype added to the scores.
    const Shape want = batched ? Shape{n, keys} : Shape{keys};
    if (key_padding_mask.shape() != want) {
      detail::fail<ShapeError>("MultiheadAttention: key_padding_mask must be {}, got {}", want,
                               key_padding_mask.shape());
    }
    const DType mask_type = key_padding_mask.dtype();
    if (mask_type != DType::boolean && mask_type != q_in.dtype()) {
      detail::fail<DTypeError>(
          "MultiheadAttention: key_padding_mask must be bool or {} (the query's), got {}",
          q_in.dtype(), mask_type);
    }
    const Tensor padding = reshape(key_padding_mask, {n, 1, 1, keys});
    additive =
        both(additive, mask_type == DType::boolean ? blocking(padding, q_in.dtype()) : padding);
  }
  const AttentionOutput heads =
      attention(project(q_in, 0), project(k_in, 1), project(v_in, 2), additive, dropout_,
                is_training(), drawing_generator(gen_));
  Tensor out = (*out_proj)(reshape(permute(heads.output, {0, 2, 1, 3}), {n, length, e}));
  out = !batched ? select(out, 0, 0) : batch_first_ ? out : transpose(out, 0, 1);
  Tensor weights;
  if (need_weights) {
    weights = average_weights ? mean(heads.weights, 1) : heads.weights;
    if (!batched) weights = select(weights, 0, 0);
  }
  return {out, weights};
}

Tensor MultiheadAttention::forward(const Tensor& x) {
  return attend(x, x, x, {}, {}, false).output;
}

Tensor MultiheadAttention::forward_many(const std::vector<Tensor>& inputs) {
  if (inputs.size() < 3 || inputs.size() > 5) {
    detail::fail<GraphError>(
        "MultiheadAttention: takes (query, key, value[, key_padding_mask[, "
        "attn_mask]]), not {} inputs",
        inputs.size());
  }
  auto at = [&](std::size_t k) { return k < inputs.size() ? inputs[k] : Tensor(); };
  return attend(inputs[0], inputs[1], inputs[2], at(3), at(4), false).output;
}

std::string MultiheadAttention::name() const {
  return fmt::format("MultiheadAttention(embed_dim={}, num_heads={}{}{})", embed_dim_, heads_,
                     dropout_ > 0 ? fmt::format(", dropout={}", dropout_) : "",
                     batch_first_ ? ", batch_first=true" : "");
}

Tensor sinusoidal_positions(std::int64_t length, std::int64_t dim, DType dtype) {
  if (length < 0 || dim < 1) {
    detail::fail<ShapeError>("sinusoidal_positions: length {} and dim {} must be positive", length,
                             dim);
  }
  // The size is checked before anything is allocated: length·dim would
  // wrap for huge arguments (PyTorch-sized limits, as every factory's).
  detail::checked_numel({length, dim}, "sinusoidal_positions");
  std::vector<double> table(static_cast<std::size_t>(length * dim));
  for (std::int64_t p = 0; p < length; ++p) {
    for (std::int64_t c = 0; c < dim; ++c) {
      const double angle =
          static_cast<double>(p) /
          std::pow(10000.0, static_cast<double>(c - c % 2) / static_cast<double>(dim));
      table[static_cast<std::size_t>(p * dim + c)] = c % 2 == 0 ? std::sin(angle) : std::cos(angle);
    }
  }
  return Tensor::from(table, {length, dim}).to(dtype);
}

namespace {
// Rows 0..T-1 of a (max_len, dim) table for x (..., T, dim).
Tensor positions_for(const Tensor& x, const Tensor& table, const char* layer) {
  if (x.dim() < 2 || x.size(-1) != table.size(1) || x.size(-2) > table.size(0)) {
    detail::fail<ShapeError>("{}: input must be (..., T <= {}, {}), got {}", layer, table.size(0),
                             table.size(1), x.shape());
  }
  return slice(table, 0, 0, x.size(-2));
}
}  // namespace

SinusoidalPositionalEncoding::SinusoidalPositionalEncoding(std::int64_t dim, std::int64_t max_len,
                                                           DType dtype)
    : table_(sinusoidal_positions(max_len, dim, dtype)) {}

Tensor SinusoidalPositionalEncoding::forward(const Tensor& x) {
  return x + positions_for(x, table_, "SinusoidalPositionalEncoding");
}

std::string SinusoidalPositionalEncoding::name() const {
  return fmt::format("SinusoidalPositionalEncoding(dim={}, max_len={})", table_.size(1),
                     table_.size(0));
}

LearnedPositionalEmbedding::LearnedPositionalEmbedding(std::int64_t max_len, std::int64_t dim,
                                                       DType dtype, Generator& gen) {
  if (max_len < 1 || dim < 1) {
    detail::fail<ShapeError>("LearnedPositionalEmbedding: max_len {} and dim {} must be positive",
                             max_len, dim);
  }
  weight = register_parameter("weight", randn({max_len, dim}, gen, dtype));
}

Tensor LearnedPositionalEmbedding::forward(const Tensor& x) {
  return x + positions_for(x, weight, "LearnedPositionalEmbedding");
}

std::string LearnedPositionalEmbedding::name() const {
  return fmt::format("LearnedPositionalEmbedding({}, {})", weight.size(0), weight.size(1));
}

}  // namespace ag::nn

// SPDX-License-Identifier: MIT
#include "autograd/nn/layers.hpp"

#include <fmt/format.h>
#include <cmath>

#include "autograd/nn/init.hpp"

namespace ag::nn {

Linear::Linear(std::int64_t in_features, std::int64_t out_features, bool has_bias, DType dtype,
               Generator& gen) {
  if (in_features <= 0 || out_features <= 0) {
    detail::fail<ShapeError>("Linear: sizes must be positive, got in={} out={}", in_features,
                             out_features);
  }
  const double bound = 1.0 / std::sqrt(static_cast<double>(in_features));
  weight =
      register_parameter("weight", rand({out_features, in_features}, gen, dtype, -bound, bound));
  if (has_bias) bias = register_parameter("bias", rand({out_features}, gen, dtype, -bound, bound));
}

Tensor Linear::forward(const Tensor& x) { return linear(x, weight, bias); }

std::string Linear::name() const {
  return fmt::format("Linear(in_features={}, out_features={}, bias={})", weight.shape()[1],
                     weight.shape()[0], bias.defined());
}

Sequential::Sequential(std::vector<std::shared_ptr<Module>> modules) {
  for (auto& m : modules) push_back(std::move(m));
}

void Sequential::push_back(std::shared_ptr<Module> module) {
  register_module(std::to_string(modules_.size()), module);
  modules_.push_back(std::move(module));
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor out = x;
  for (auto& m : modules_) out = (*m)(out);
  return out;
}

std::string LeakyReLU::name() const { return fmt::format("LeakyReLU({})", slope_); }
std::string Softmax::name() const { return fmt::format("Softmax(dim={})", dim_); }

namespace {
class Identity : public Module {
 public:
  Tensor forward(const Tensor& x) override { return x; }
  std::string name() const override { return "Identity"; }
};
}  // namespace

std::shared_ptr<Module> activation(const std::string& name) {
  if (name == "sigmoid") return std::make_shared<Sigmoid>();
  if (name == "tanh") return std::make_shared<Tanh>();
  if (name == "relu") return std::make_shared<ReLU>();
  if (name == "leaky_relu") return std::make_shared<LeakyReLU>();
  if (name == "gelu") return std::make_shared<GELU>();
  if (name == "identity") return std::make_shared<Identity>();
  detail::fail<ValueError>(
      "activation: unknown activation '{}' (sigmoid, tanh, relu, leaky_relu, "
      "gelu, identity)",
      name);
}

std::shared_ptr<Sequential> MLP(const std::vector<std::int64_t>& sizes,
                                const std::string& hidden_activation,
                                const std::string& output_activation, bool bias, DType dtype,
                                Generator& gen) {
  if (sizes.size() < 2) {
    detail::fail<ShapeError>("MLP: need at least input and output sizes, got {}", sizes.size());
  }
  auto net = std::make_shared<Sequential>();
  for (std::size_t k = 0; k + 1 < sizes.size(); ++k) {
    net->push_back(std::make_shared<Linear>(sizes[k], sizes[k + 1], bias, dtype, gen));
    const bool last = k + 2 == sizes.size();
    const std::string& act = last ? output_activation : hidden_activation;
    if (act != "identity") net->push_back(activation(act));
  }
  return net;
}

Embedding::Embedding(std::int64_t num_embeddings, std::int64_t dim,
                     std::optional<std::int64_t> padding_idx, bool sparse, DType dtype,
                     Generator& gen)
    : padding_idx_(padding_idx), sparse_(sparse) {
  if (padding_idx && (*padding_idx < -num_embeddings || *padding_idx >= num_embeddings)) {
    detail::fail<IndexError>("Embedding: padding_idx {} is out of range for {} embeddings",
                             *padding_idx, num_embeddings);
  }
  if (padding_idx && *padding_idx < 0) padding_idx_ = *padding_idx + num_embeddings;
  Tensor w = randn({num_embeddings, dim}, gen, dtype);
  if (padding_idx) {  // the padding row starts at zero, as in PyTorch
    const Tensor rows = reshape(arange(0, static_cast<double>(num_embeddings), 1, DType::int64),
                                {num_embeddings, 1});
    w = where(eq(rows, full({}, static_cast<double>(*padding_idx_), DType::int64)),
              zeros({}, dtype), w);
  }
  weight = register_parameter("weight", w);
}

Tensor Embedding::forward(const Tensor& indices) {
  return embedding(weight, indices, padding_idx_, sparse_);
}

std::string Embedding::name() const {
  return fmt::format("Embedding({}, {}{})", weight.shape()[0], weight.shape()[1],
                     sparse_ ? ", sparse" : "");
}

EmbeddingBag::EmbeddingBag(std::int64_t num_embeddings, std::int64_t dim, Mode mode, bool sparse,
                           DType dtype, Generator& gen, std::optional<std::int64_t> padding_idx)
    : mode_(mode), sparse_(sparse), padding_idx_(padding_idx) {
  if (padding_idx && (*padding_idx < -num_embeddings || *padding_idx >= num_embeddings)) {
    detail::fail<IndexError>("EmbeddingBag: padding_idx {} is out of range for {} embeddings",
                             *padding_idx, num_embeddings);
  }
  if (padding_idx && *padding_idx < 0) padding_idx_ = *padding_idx + num_embeddings;
  weight = register_parameter("weight", randn({num_embeddings, dim}, gen, dtype));
}

Tensor EmbeddingBag::forward(const Tensor& indices) {
  if (indices.dim() != 2) {
    detail::fail<ShapeError>(
        "EmbeddingBag: indices must be (bags, length), got {}; pass offsets "
        "for 1-d indices",
        indices.shape());
  }
  return forward(indices, Tensor(), Tensor());
}

Tensor EmbeddingBag::forward(const Tensor& indices, const Tensor& offsets,
                             const Tensor& per_sample_weights) {
  // The 2-d form is the 1-d one with bags of equal length.
  Tensor flat = indices, starts = offsets;
  if (indices.dim() == 2 && !offsets.defined()) {
    flat = reshape(indices, {-1});
    std::vector<std::int64_t> first(static_cast<std::size_t>(indices.shape()[0]));
    for (std::size_t b = 0; b < first.size(); ++b) {
      first[b] = static_cast<std::int64_t>(b) * indices.shape()[1];
    }
    starts = index_tensor(first);
  }
  if (flat.dim() != 1 || !starts.defined() || starts.dim() != 1 || starts.dtype() != DType::int64) {
    detail::fail<ShapeError>(
        "EmbeddingBag: expected (bags, length) indices, or 1-d indices and int64 offsets; got {} "
        "and {}",
        indices.shape(), offsets.defined() ? offsets.shape() : Shape{});
  }
  Tensor weights = per_sample_weights;
  if (weights.defined()) {
    if (mode_ != Mode::sum) {
      detail::fail<ValueError>("EmbeddingBag: per_sample_weights need mode sum (as PyTorch)");
    }
    if (weights.shape() != indices.shape() || weights.dtype() != weight.dtype()) {
      detail::fail<ShapeError>(
          "EmbeddingBag: per_sample_weights {} {} must match the indices {} and weight dtype {}",
          weights.dtype(), weights.shape(), indices.shape(), weight.dtype());
    }
    weights = reshape(weights, {-1, 1});
  }
  const std::int64_t n = flat.numel(), bags = starts.numel();
  const std::int64_t* off = starts.data<std::int64_t>();
  const std::int64_t* idx = flat.data<std::int64_t>();
  // bag_of[i]: the bag of entry i; count: entries per bag that are not padding
  std::vector<std::int64_t> bag_of(n), count(bags, 0), longest_at(bags, 0);
  std::int64_t longest = 0;
  for (std::int64_t b = 0; b < bags; ++b) {
    const std::int64_t end = b + 1 < bags ? off[b + 1] : n;
    if (off[b] < 0 || off[b] > end || end > n) {
      detail::fail<IndexError>("EmbeddingBag: offsets must rise within [0, {}], got {} at bag {}",
                               n, off[b], b);
    }
    for (std::int64_t i = off[b]; i < end; ++i) {
      bag_of[i] = b;
      count[b] += !padding_idx_ || idx[i] != *padding_idx_;
    }
    longest = std::max(longest, end - off[b]);
  }
  const std::int64_t dim = weight.shape()[1];
  Tensor rows = embedding(weight, flat, padding_idx_, sparse_);  // (n, dim)
  if (weights.defined()) rows = rows * weights;
  Tensor real;  // bool (n): not padding
  if (padding_idx_) {
    real = ne(flat, full({}, static_cast<double>(*padding_idx_), DType::int64));
    rows = where(unsqueeze(real, 1), rows, zeros({}, weight.dtype()));
  }
  if (mode_ == Mode::max) {
    if (longest == 0) return zeros({bags, dim}, weight.dtype());
    // Each bag's rows laid out in a (bags, longest) grid, the gaps and the
    // padding at -inf; an empty bag gives zeros, as PyTorch.
    std::vector<std::int64_t> slot(bags * longest, n);  // n: the -inf row appended below
    for (std::int64_t i = 0; i < n; ++i) {
      if (!padding_idx_ || idx[i] != *padding_idx_)
        slot[bag_of[i] * longest + i - off[bag_of[i]]] = i;
    }
    const Tensor padded = cat({rows, full({1, dim}, -INFINITY, weight.dtype())});
    const Tensor grid = reshape(index_select(padded, 0, index_tensor(slot)), {bags, longest, dim});
    const Tensor best = amax(grid, 1);
    std::vector<std::int64_t> empty;
    for (std::int64_t b = 0; b < bags; ++b) empty.push_back(count[b] == 0);
    const Tensor is_empty = Tensor::from(empty, {bags, 1}).to(DType::boolean);
    return where(is_empty, zeros({}, weight.dtype()), best);
  }
  const Tensor summed =
      index_add(zeros({bags, dim}, weight.dtype()), 0, index_tensor(bag_of), rows);
  if (mode_ == Mode::sum) return summed;
  std::vector<double> scale(bags);
  for (std::int64_t b = 0; b < bags; ++b) scale[b] = count[b] ? 1.0 / count[b] : 0.0;
  return summed * Tensor::from(scale, {bags, 1}).to(weight.dtype());
}

Tensor EmbeddingBag::forward_many(const std::vector<Tensor>& inputs) {
  if (inputs.empty() || inputs.size() > 3) {
    detail::fail<GraphError>("{}: takes indices, offsets and per_sample_weights, not {} inputs",
                             name(), inputs.size());
  }
  return forward(inputs[0], inputs.size() > 1 ? inputs[1] : Tensor(),
                 inputs.size() > 2 ? inputs[2] : Tensor());
}

std::string EmbeddingBag::name() const {
  return fmt::format("EmbeddingBag({}, {}, mode={}{})", weight.shape()[0], weight.shape()[1],
                     mode_ == Mode::sum    ? "sum"
                     : mode_ == Mode::mean ? "mean"
                                           : "max",
                     sparse_ ? ", sparse" : "");
}

Tensor dropout(const Tensor& x, double p, bool training, Generator& gen) {
  if (!(p >= 0.0 && p <= 1.0)) detail::fail<ValueError>("dropout: p = {} is not in [0, 1]", p);
  if (!training || p == 0.0) return x;
  if (p == 1.0) return x * 0.0;
  // One mask of 0 and 1/(1-p), then one multiply: its backward is g * mask.
  Tensor mask = empty(x.shape(), x.dtype());
  detail::visit_floating(x.dtype(), "dropout", [&](auto zero) {
    using T = decltype(zero);
    const T keep = static_cast<T>(1.0 - p), scale = static_cast<T>(1.0 / (1.0 - p));
    // A unit is kept when T(uniform()) < keep, uniform() = bits * 2^-53 for 53
    // random bits. Rounding to T is monotonic, so that holds exactly for bits
    // below some threshold: found once here, it leaves an integer comparison
    // per unit, turned into 0 or 1 without a branch (a coin flip is not
    // predictable).
    auto kept = [&](std::uint64_t bits) {
      return static_cast<T>(static_cast<double>(bits) * 0x1.0p-53) < keep;
    };
    std::uint64_t threshold = 0;  // the first bits not kept
    for (std::uint64_t step = std::uint64_t{1} << 52; step; step >>= 1) {
      if (kept(threshold + step - 1)) threshold += step;
    }
    if (kept(threshold)) ++threshold;
    T* m = mask.data<T>();
    for (std::int64_t i = 0, n = mask.numel(); i < n; ++i) {
      const std::uint64_t below = ((gen.next_u64() >> 11) - threshold) >> 63;  // bits < threshold
      m[i] = scale * static_cast<T>(below);
    }
  });
  return x * mask;
}

Dropout::Dropout(double p, Generator& gen) : p_(p), gen_(keep_generator(gen)) {
  if (!(p >= 0.0 && p <= 1.0)) detail::fail<ValueError>("Dropout: p = {} is not in [0, 1]", p);
}

Tensor Dropout::forward(const Tensor& x) {
  return dropout(x, p_, is_training(), drawing_generator(gen_));
}

std::string Dropout::name() const { return fmt::format("Dropout(p={})", p_); }

}  // namespace ag::nn

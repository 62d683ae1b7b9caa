// SPDX-License-Identifier: MIT
// Layers: Linear, Sequential, an MLP builder, activations, Embedding,
// EmbeddingBag, Dropout (LayerNorm: normalization.hpp).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "autograd/generator.hpp"
#include "autograd/nn/module.hpp"
#include "autograd/ops.hpp"

namespace ag::nn {

/// y = x W^T + b with W (out_features, in_features). PyTorch's default
/// initialisation: W and b uniform in ±1/√in_features.
class Linear : public Module {
 public:
  /// A layer from in_features to out_features, initialised from `gen`.
  Linear(std::int64_t in_features, std::int64_t out_features, bool bias = true,
         DType dtype = default_dtype(), Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;
  std::string name() const override;
  Tensor weight;  ///< (out_features, in_features)
  Tensor bias;    ///< (out_features); undefined without one
};

/// A module given by value or by shared_ptr.
template <class M>
concept held_module = std::derived_from<std::remove_cvref_t<M>, Module> ||
    std::convertible_to<M, std::shared_ptr<Module>>;

/// Runs its modules in order; they are named "0", "1", ...
class Sequential : public Module {
 public:
  Sequential() = default;  ///< empty: add modules with push_back
  /// The modules of a vector, in order.
  explicit Sequential(std::vector<std::shared_ptr<Module>> modules);
  /// `Sequential({fc1, std::make_shared<ReLU>(), fc2})`.
  Sequential(std::initializer_list<std::shared_ptr<Module>> modules)
      : Sequential(std::vector<std::shared_ptr<Module>>(modules)) {}
  /// `Sequential(Linear(2, 64), ReLU(), Linear(64, 1))`: modules by value
  /// (or shared_ptr), named "0", "1", ... as in PyTorch.
  template <class... Ms>
  requires(sizeof...(Ms) > 0 && (held_module<Ms> && ...)) explicit Sequential(Ms&&... modules) {
    (push_back(share(std::forward<Ms>(modules))), ...);
  }
  /// Appends a module, named by its position.
  void push_back(std::shared_ptr<Module> module);
  Tensor forward(const Tensor& x) override;
  std::string name() const override { return "Sequential"; }
  /// The number of modules.
  std::size_t size() const { return modules_.size(); }
  /// Module k (std::out_of_range past the end).
  Module& operator[](std::size_t k) { return *modules_.at(k); }

 private:
  template <class M>
  static std::shared_ptr<Module> share(M&& module) {
    if constexpr (std::derived_from<std::remove_cvref_t<M>, Module>) {
      return std::make_shared<std::remove_cvref_t<M>>(std::forward<M>(module));
    } else {
      return std::shared_ptr<Module>(std::forward<M>(module));
    }
  }
  std::vector<std::shared_ptr<Module>> modules_;
};

/// Activations as modules: sigmoid.
class Sigmoid : public Module {
 public:
  Tensor forward(const Tensor& x) override { return sigmoid(x); }
  std::string name() const override { return "Sigmoid"; }
};
/// tanh as a module.
class Tanh : public Module {
 public:
  Tensor forward(const Tensor& x) override { return tanh(x); }
  std::string name() const override { return "Tanh"; }
};
/// relu as a module.
class ReLU : public Module {
 public:
  Tensor forward(const Tensor& x) override { return relu(x); }
  std::string name() const override { return "ReLU"; }
};
/// leaky_relu as a module.
class LeakyReLU : public Module {
 public:
  /// The slope for negative inputs.
  explicit LeakyReLU(double negative_slope = 0.01) : slope_(negative_slope) {}
  Tensor forward(const Tensor& x) override { return leaky_relu(x, slope_); }
  std::string name() const override;

 private:
  double slope_;
};
/// gelu as a module (exact, or the tanh approximation).
class GELU : public Module {
 public:
  /// Exact (erf) unless `tanh_approx`.
  explicit GELU(bool tanh_approx = false) : tanh_(tanh_approx) {}
  Tensor forward(const Tensor& x) override { return gelu(x, tanh_); }
  std::string name() const override { return tanh_ ? "GELU(approximate=tanh)" : "GELU"; }

 private:
  bool tanh_;
};
/// softmax along a dim as a module.
class Softmax : public Module {
 public:
  /// Along `dim`.
  explicit Softmax(std::int64_t dim = -1) : dim_(dim) {}
  Tensor forward(const Tensor& x) override { return softmax(x, dim_); }
  std::string name() const override;

 private:
  std::int64_t dim_;
};

/// An activation module by name: "sigmoid", "tanh", "relu", "leaky_relu",
/// "gelu", "identity"; ValueError for others.
std::shared_ptr<Module> activation(const std::string& name);

/// Linear layers of `sizes` (e.g. {2, 16, 16, 1}) with `hidden_activation`
/// between them and `output_activation` ("identity" for none) after the last.
std::shared_ptr<Sequential> MLP(const std::vector<std::int64_t>& sizes,
                                const std::string& hidden_activation = "relu",
                                const std::string& output_activation = "identity", bool bias = true,
                                DType dtype = default_dtype(),
                                Generator& gen = default_generator());

/// A lookup table: forward(indices int64 of any shape) gives indices.shape +
/// [dim]. Initialised N(0, 1), the padding row zero. With `sparse`, the
/// weight's gradient is row-sparse (for SparseAdam).
class Embedding : public Module {
 public:
  /// A table of num_embeddings rows of `dim` values.
  Embedding(std::int64_t num_embeddings, std::int64_t dim,
            std::optional<std::int64_t> padding_idx = std::nullopt, bool sparse = false,
            DType dtype = default_dtype(), Generator& gen = default_generator());
  Tensor forward(const Tensor& indices) override;
  std::string name() const override;
  /// Whether the weight's gradient is row-sparse.
  bool sparse() const { return sparse_; }
  Tensor weight;  ///< (num_embeddings, dim)

 private:
  std::optional<std::int64_t> padding_idx_;
  bool sparse_;
};

/// Sums, averages or takes the max of the embeddings of each bag of
/// indices: the bag-of-words layer. `bag(indices)` with indices (bags,
/// length) gives (bags, dim); `bag(indices, offsets)` takes 1-d indices in
/// bags of varying length starting at `offsets`; `bag(indices, offsets,
/// per_sample_weights)` (mode sum only, as PyTorch) scales each entry's
/// row first (offsets undefined for 2-d indices). With `padding_idx`, that
/// index adds nothing and is not counted by the mean. Max takes each
/// element's max over the bag (ties share the gradient); an empty bag gives
/// zeros.
class EmbeddingBag : public Module {
 public:
  /// How a bag's rows are pooled.
  enum class Mode { sum, mean, max };
  /// A table of num_embeddings rows of `dim` values, pooled by `mode`.
  EmbeddingBag(std::int64_t num_embeddings, std::int64_t dim, Mode mode = Mode::mean,
               bool sparse = false, DType dtype = default_dtype(),
               Generator& gen = default_generator(),
               std::optional<std::int64_t> padding_idx = std::nullopt);
  Tensor forward(const Tensor& indices) override;
  /// Bags of 1-d indices starting at `offsets` (or 2-d indices and
  /// undefined offsets), each entry's row scaled by per_sample_weights if given.
  Tensor forward(const Tensor& indices, const Tensor& offsets,
                 const Tensor& per_sample_weights = Tensor());
  /// (indices), (indices, offsets) or (indices, offsets, per_sample_weights).
  Tensor forward_many(const std::vector<Tensor>& inputs) override;
  std::string name() const override;
  /// Whether the weight's gradient is row-sparse.
  bool sparse() const { return sparse_; }
  Tensor weight;  ///< (num_embeddings, dim)

 private:
  Mode mode_;
  bool sparse_;
  std::optional<std::int64_t> padding_idx_;
};

/// Zeroes each element with probability p in training and scales the rest by
/// 1/(1-p) (inverted dropout); the identity in evaluation mode. Element i is
/// kept when T(u_i) < T(1-p), u_i the generator's next uniform(). It is x
/// times a mask, so a dropped inf or NaN gives NaN, as in PyTorch.
class Dropout : public Module {
 public:
  /// Drops with probability p (in [0, 1]), drawing from `gen`.
  explicit Dropout(double p = 0.5, Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;
  std::string name() const override;

 private:
  double p_;
  Generator* gen_;  // keep_generator(): nullptr draws from the running thread's default
};

/// Functional dropout: as the module, with `training` explicit.
Tensor dropout(const Tensor& x, double p, bool training, Generator& gen = default_generator());

}  // namespace ag::nn

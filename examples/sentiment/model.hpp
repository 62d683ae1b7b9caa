// SPDX-License-Identifier: MIT
// The classifiers: bag-of-words features → hidden layer → class logits, or
// word order read by an LSTM, a BiLSTM or Kim's CNN.
#pragma once

#include <memory>
#include <string>

#include "autograd/nn/nn.hpp"
#include "dataset.hpp"

namespace sentiment {

/// "bag": an EmbeddingBag averages the embeddings of a sentence's features
/// (sparse gradients, for SparseAdam). "dense": a TF-IDF vector over the
/// vocabulary goes through a Linear layer (dense gradients, for Adam). "nb":
/// as dense, but each feature present counts once, weighted by how well it
/// tells the classes apart in training (its Naive Bayes log-count ratio, as
/// in Wang & Manning's NBSVM). Sequence models read the words in order from
/// sparse embeddings (SparseAdam): "lstm" and "bilstm" classify the final
/// states of an LSTM (both directions) run over each sentence's own length
/// (packed batches, no padding computed); "cnn" is Kim (2014)'s CNN:
/// convolutions of widths 3, 4, 5 with `hidden` maps each, relu, max over
/// time, dropout, a linear layer.
struct ModelConfig {
  std::string features = "bag";
  std::int64_t vocabulary = 0, dim = 64, hidden = 64, classes = 2;
  std::string activation = "tanh";
  double dropout = 0.0;  ///< on the features and on the hidden layer, in training
  /// Whether the model reads word order (lstm, bilstm, cnn).
  bool sequence() const { return features == "lstm" || features == "bilstm" || features == "cnn"; }
};

class Classifier : public ag::nn::Module {
 public:
  explicit Classifier(const ModelConfig& config);
  /// bag: padded int64 ids (batch, length); dense, nb: weighted rows (batch, vocabulary).
  ag::Tensor forward(const ag::Tensor& input) override;
  /// Sequence models: (padded ids (batch, length), lengths (batch)).
  ag::Tensor forward_many(const std::vector<ag::Tensor>& inputs) override;
  /// The parameters that take row-sparse gradients (the embeddings).
  std::vector<std::string> sparse_parameters() const;
  std::string name() const override { return "Classifier(" + config_.features + ")"; }
  const ModelConfig& config() const { return config_; }
  /// Per-feature weight (dense: inverse document frequency; nb: log-count
  /// ratio), a saved buffer set by set_feature_weights.
  ag::Tensor feature_weight;
  /// Computes feature_weight from the encoded training split (dense, nb).
  void set_feature_weights(const std::vector<std::vector<std::int64_t>>& ids,
                           const std::vector<int>& labels);

 private:
  ModelConfig config_;
  std::shared_ptr<ag::nn::EmbeddingBag> bag_;
  std::shared_ptr<ag::nn::Embedding> embed_;
  std::shared_ptr<ag::nn::LSTM> lstm_;
  std::vector<std::shared_ptr<ag::nn::Conv1d>> convs_;
  std::shared_ptr<ag::nn::Linear> input_, output_;
  std::shared_ptr<ag::nn::Module> act_, drop_features_, drop_hidden_;
};

/// The input tensor for a batch of encoded sentences (bag, dense, nb).
ag::Tensor batch_input(const Classifier& model, const std::vector<std::vector<std::int64_t>>& ids);
/// The model's class logits (batch, classes) for a batch of encoded sentences.
ag::Tensor classify(Classifier& model, const std::vector<std::vector<std::int64_t>>& ids);

}  // namespace sentiment

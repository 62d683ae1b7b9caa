#include "model.hpp"

#include <algorithm>
#include <cmath>

namespace sentiment {

Classifier::Classifier(const ModelConfig& c) : config_(c) {
  if (c.features == "bag") {
    bag_ = register_module(
        "bag", std::make_shared<ag::nn::EmbeddingBag>(
                   c.vocabulary, c.dim, ag::nn::EmbeddingBag::Mode::mean,
                   /*sparse=*/true, ag::DType::float32, ag::default_generator(), Vocabulary::kPad));
    // Small embeddings: the mean of N(0, 1) rows would swamp the hidden layer.
    ag::nn::init::normal_(bag_->weight, 0.0, 0.1);
    input_ = register_module("input", std::make_shared<ag::nn::Linear>(c.dim, c.hidden));
  } else if (c.features == "dense") {
    idf = register_buffer("idf", ag::ones({c.vocabulary}));
    input_ = register_module("input", std::make_shared<ag::nn::Linear>(c.vocabulary, c.hidden));
  } else {
    ag::detail::fail<ag::ValueError>("--features: '{}' is not bag or dense", c.features);
  }
  act_ = register_module("activation", ag::nn::activation(c.activation));
  drop_features_ = register_module("drop_features", std::make_shared<ag::nn::Dropout>(c.dropout));
  drop_hidden_ = register_module("drop_hidden", std::make_shared<ag::nn::Dropout>(c.dropout));
  output_ = register_module("output", std::make_shared<ag::nn::Linear>(c.hidden, c.classes));
}

ag::Tensor Classifier::forward(const ag::Tensor& input) {
  const ag::Tensor features = (*drop_features_)(bag_ ? (*bag_)(input) : input);
  return (*output_)((*drop_hidden_)((*act_)((*input_)(features))));
}

ag::Tensor batch_input(const Classifier& model, const std::vector<std::vector<std::int64_t>>& ids) {
  const auto rows = static_cast<std::int64_t>(ids.size());
  if (model.config().features == "bag") {
    std::size_t longest = 1;
    for (const auto& s : ids) longest = std::max(longest, s.size());
    std::vector<std::int64_t> padded(rows * longest, Vocabulary::kPad);
    for (std::int64_t r = 0; r < rows; ++r)
      std::copy(ids[r].begin(), ids[r].end(), padded.begin() + r * longest);
    return ag::Tensor::from(padded, {rows, static_cast<std::int64_t>(longest)});
  }
  // TF-IDF: term count in the sentence times idf, each row scaled to unit length.
  const std::int64_t v = model.config().vocabulary;
  std::vector<float> dense(rows * v, 0.0f);
  const float* idf = model.idf.data<float>();
  for (std::int64_t r = 0; r < rows; ++r) {
    float* row = dense.data() + r * v;
    for (std::int64_t id : ids[r]) row[id] += idf[id];
    std::vector<std::int64_t> present = ids[r];  // each feature once, for the norm
    std::sort(present.begin(), present.end());
    present.erase(std::unique(present.begin(), present.end()), present.end());
    double norm = 0;
    for (std::int64_t id : present) norm += static_cast<double>(row[id]) * row[id];
    const float scale = norm > 0 ? static_cast<float>(1.0 / std::sqrt(norm)) : 0.0f;
    for (std::int64_t id : present) row[id] *= scale;
  }
  return ag::Tensor::from(dense, {rows, v});
}

}  // namespace sentiment

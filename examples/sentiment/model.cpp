// SPDX-License-Identifier: MIT
#include "model.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>

#include "errors.hpp"

namespace sentiment {
namespace {
constexpr std::array<std::int64_t, 3> kCnnWidths{3, 4, 5};  // Kim (2014)

// (batch, 1, positions) bool: true for windows of `width` that start past a
// sentence padded to the widest window, so max over time sees the same
// windows whatever the batch's longest sentence.
ag::Tensor past_the_end(const ag::Tensor& lengths, std::int64_t positions, std::int64_t width) {
  const std::int64_t rows = lengths.size(0);
  const std::int64_t* n = lengths.data<std::int64_t>();
  std::vector<double> mask(static_cast<std::size_t>(rows * positions));
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t last = std::max(n[r], kCnnWidths.back()) - width;
    for (std::int64_t t = 0; t < positions; ++t) mask[r * positions + t] = t > last ? 1.0 : 0.0;
  }
  return ag::Tensor::from(mask, {rows, 1, positions}).to(ag::DType::boolean);
}
}  // namespace

Classifier::Classifier(const ModelConfig& c) : config_(c) {
  if (c.features == "bag") {
    bag_ = register_module(
        "bag", std::make_shared<ag::nn::EmbeddingBag>(
                   c.vocabulary, c.dim, ag::nn::EmbeddingBag::Mode::mean,
                   /*sparse=*/true, ag::DType::float32, ag::default_generator(), Vocabulary::kPad));
    // Small embeddings: the mean of N(0, 1) rows would swamp the hidden layer.
    ag::nn::init::normal_(bag_->weight, 0.0, 0.1);
    input_ = register_module("input", std::make_shared<ag::nn::Linear>(c.dim, c.hidden));
  } else if (c.features == "dense" || c.features == "nb") {
    feature_weight = register_buffer("feature_weight", ag::ones({c.vocabulary}));
    input_ = register_module("input", std::make_shared<ag::nn::Linear>(c.vocabulary, c.hidden));
  } else if (c.sequence()) {
    embed_ = register_module("embed", std::make_shared<ag::nn::Embedding>(
                                          c.vocabulary, c.dim, Vocabulary::kPad, /*sparse=*/true));
    const ag::NoGradGuard no_grad;  // N(0, 0.1²), the padding row still zero
    embed_->weight.assign(embed_->weight * 0.1);
  } else {
    fail<ag::ValueError>("--features: '{}' is not nb, dense, bag, lstm, bilstm or cnn", c.features);
  }
  if (c.features == "lstm" || c.features == "bilstm") {
    ag::nn::RecurrentOptions options;
    options.batch_first = true;
    options.bidirectional = c.features == "bilstm";
    lstm_ = register_module("lstm", std::make_shared<ag::nn::LSTM>(c.dim, c.hidden, options));
  } else if (c.features == "cnn") {
    for (std::int64_t width : kCnnWidths) {
      convs_.push_back(register_module(fmt::format("conv{}", width),
                                       std::make_shared<ag::nn::Conv1d>(c.dim, c.hidden, width)));
    }
  }
  act_ = register_module("activation", ag::nn::activation(c.activation));
  drop_features_ = register_module("drop_features", std::make_shared<ag::nn::Dropout>(c.dropout));
  drop_hidden_ = register_module("drop_hidden", std::make_shared<ag::nn::Dropout>(c.dropout));
  const std::int64_t pooled = c.features == "bilstm" ? 2 * c.hidden
                              : c.features == "cnn"  ? kCnnWidths.size() * c.hidden
                                                     : c.hidden;
  output_ = register_module("output", std::make_shared<ag::nn::Linear>(pooled, c.classes));
}

ag::Tensor Classifier::forward_many(const std::vector<ag::Tensor>& inputs) {
  if (!config_.sequence() || inputs.size() != 2) {
    fail<ag::GraphError>("Classifier({}): takes (ids, lengths) for sequence models only",
                         config_.features);
  }
  const ag::Tensor words = (*drop_features_)((*embed_)(inputs[0]));  // (batch, length, dim)
  ag::Tensor features;
  if (lstm_) {
    const ag::Tensor h = lstm_->run(words, inputs[1]).h_n;  // (directions, batch, hidden)
    features = h.size(0) == 1 ? ag::select(h, 0, 0)
                              : ag::cat({ag::select(h, 0, 0), ag::select(h, 0, 1)}, 1);
  } else {
    const ag::Tensor channels = ag::transpose(words, 1, 2);  // (batch, dim, length)
    std::vector<ag::Tensor> maps;
    for (std::size_t k = 0; k < convs_.size(); ++k) {
      const ag::Tensor windows = ag::relu((*convs_[k])(channels));  // (batch, maps, positions)
      const ag::Tensor mask = past_the_end(inputs[1], windows.size(2), kCnnWidths[k]);
      maps.push_back(  // max over time; the gradient to the first maximum
          ag::max(ag::masked_fill(windows, mask, -std::numeric_limits<double>::infinity()), 2)
              .values);
    }
    features = ag::cat(maps, 1);
  }
  return (*output_)((*drop_hidden_)(features));
}

std::vector<std::string> Classifier::sparse_parameters() const {
  if (bag_) return {"bag.weight"};
  if (embed_) return {"embed.weight"};
  return {};
}

ag::Tensor Classifier::forward(const ag::Tensor& input) {
  if (config_.sequence()) {
    fail<ag::GraphError>("Classifier({}): takes (ids, lengths)", config_.features);
  }
  const ag::Tensor features = (*drop_features_)(bag_ ? (*bag_)(input) : input);
  return (*output_)((*drop_hidden_)((*act_)((*input_)(features))));
}

namespace {

// Each sentence's features, each once.
std::vector<std::int64_t> distinct(std::vector<std::int64_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

// idf = log(N / (1 + df)) + 1, df the number of sentences holding the feature.
std::vector<float> idf_weights(const std::vector<std::vector<std::int64_t>>& ids, std::int64_t v) {
  std::vector<double> df(v, 0.0);
  for (const auto& s : ids)
    for (std::int64_t id : distinct(s)) df[id] += 1;
  std::vector<float> weight(v);
  for (std::int64_t f = 0; f < v; ++f)
    weight[f] = static_cast<float>(std::log(static_cast<double>(ids.size()) / (1 + df[f])) + 1);
  return weight;
}

// The largest |log p(f | c) - log p(f | not c)| over the classes c, from
// counts of sentences holding f, add-one smoothed; for two classes, NBSVM's |r|.
std::vector<float> nb_weights(const std::vector<std::vector<std::int64_t>>& ids,
                              const std::vector<int>& labels, std::int64_t v,
                              std::int64_t classes) {
  std::vector<std::vector<double>> count(classes, std::vector<double>(v, 0.0));
  std::vector<double> total(classes, 0.0), all(v, 0.0);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    for (std::int64_t id : distinct(ids[i])) {
      count[labels[i]][id] += 1;
      total[labels[i]] += 1;
      all[id] += 1;
    }
  }
  const double grand = std::accumulate(total.begin(), total.end(), 0.0);
  const auto smoothing = static_cast<double>(v);
  std::vector<float> weight(v, 0.0f);
  for (std::int64_t c = 0; c < classes; ++c) {
    const double in = total[c] + smoothing, out = grand - total[c] + smoothing;
    for (std::int64_t f = 0; f < v; ++f) {
      const double r =
          std::log((count[c][f] + 1) / in) - std::log((all[f] - count[c][f] + 1) / out);
      weight[f] = std::max(weight[f], static_cast<float>(std::fabs(r)));
    }
  }
  return weight;
}

}  // namespace

void Classifier::set_feature_weights(const std::vector<std::vector<std::int64_t>>& ids,
                                     const std::vector<int>& labels) {
  if (!feature_weight.defined()) return;  // bag and sequence models weigh nothing
  const std::int64_t v = config_.vocabulary, classes = config_.classes;
  if (ids.size() != labels.size()) {
    fail<ag::ValueError>("set_feature_weights: {} sentences but {} labels", ids.size(),
                         labels.size());
  }
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= classes) {
      fail<ag::ValueError>("set_feature_weights: label {} of sentence {} is not in [0, {})",
                           labels[i], i, classes);
    }
    for (std::int64_t id : ids[i]) {
      if (id < 0 || id >= v) {
        fail<ag::ValueError>("set_feature_weights: feature id {} of sentence {} is not in [0, {})",
                             id, i, v);
      }
    }
  }
  const std::vector<float> weight =
      config_.features == "dense" ? idf_weights(ids, v) : nb_weights(ids, labels, v, classes);
  feature_weight.assign(ag::Tensor::from(weight, {v}));
}

ag::Tensor classify(Classifier& model, const std::vector<std::vector<std::int64_t>>& ids) {
  if (!model.config().sequence()) return model(batch_input(model, ids));
  // Padded to the longest sentence, at least the widest convolution.
  std::size_t longest = model.config().features == "cnn" ? kCnnWidths.back() : 1;
  std::vector<std::int64_t> lengths;
  for (const auto& s : ids) {
    longest = std::max(longest, s.size());
    lengths.push_back(static_cast<std::int64_t>(std::max<std::size_t>(s.size(), 1)));
  }
  const auto rows = static_cast<std::int64_t>(ids.size());
  std::vector<std::int64_t> padded(rows * longest, Vocabulary::kPad);
  for (std::int64_t r = 0; r < rows; ++r) {
    std::copy(ids[r].begin(), ids[r].end(), padded.begin() + r * longest);
  }
  return model(ag::Tensor::from(padded, {rows, static_cast<std::int64_t>(longest)}),
               ag::Tensor::from(lengths, {rows}));
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
  // dense: count in the sentence times idf; nb: presence times weight. Each
  // row is then scaled to unit length.
  const std::int64_t v = model.config().vocabulary;
  const bool counts = model.config().features == "dense";
  std::vector<float> dense(rows * v, 0.0f);
  const float* weight = model.feature_weight.data<float>();
  for (std::int64_t r = 0; r < rows; ++r) {
    float* row = dense.data() + r * v;
    const std::vector<std::int64_t> present = distinct(ids[r]);
    if (counts) {
      for (std::int64_t id : ids[r]) row[id] += weight[id];
    } else {
      for (std::int64_t id : present) row[id] = weight[id];
    }
    double norm = 0;
    for (std::int64_t id : present) norm += static_cast<double>(row[id]) * row[id];
    const float scale = norm > 0 ? static_cast<float>(1.0 / std::sqrt(norm)) : 0.0f;
    for (std::int64_t id : present) row[id] *= scale;
  }
  return ag::Tensor::from(dense, {rows, v});
}

}  // namespace sentiment

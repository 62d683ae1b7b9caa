// SPDX-License-Identifier: MIT
// The sentiment example's pieces: reader errors, tokenizer, vocabulary,
// feature weights, metrics. (The program itself runs in tests/meson.build.)
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "autograd/error.hpp"
#include "dataset.hpp"
#include "metrics.hpp"
#include "model.hpp"

using namespace sentiment;

namespace {
std::string write_temp(const char* name, const std::string& text) {
  const auto path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path) << text;
  return path;
}
}  // namespace

TEST_CASE("reading SST lines, and the three-class mapping") {
  const auto path = write_temp("sst-ok.txt", "0 a bad film .\n4 a great one\n\n2 so so\n");
  const auto fine = read_examples(path, Task::fine);
  REQUIRE(fine.size() == 3);
  CHECK(fine[1].label == 4);
  CHECK(fine[0].tokens == std::vector<std::string>{"a", "bad", "film", "."});
  const auto three = read_examples(path, Task::three);
  CHECK(three[0].label == 0);
  CHECK(three[1].label == 2);
  CHECK(three[2].label == 1);
}

TEST_CASE("bad data files give the line number and content") {
  CHECK_THROWS_WITH(read_examples("/no/such/file", Task::binary),
                    doctest::Contains("cannot read data file '/no/such/file'"));
  const auto bad_label = write_temp("sst-bad.txt", "1 fine\n3 not binary\n");
  CHECK_THROWS_AS(read_examples(bad_label, Task::binary), ag::FileError);
  CHECK_THROWS_WITH(
      read_examples(bad_label, Task::binary),
      doctest::Contains(":2: label '3' is not a class of this task (0-1): \"3 not binary\""));
  const auto no_text = write_temp("sst-empty-line.txt", "1\n");
  CHECK_THROWS_WITH(read_examples(no_text, Task::binary), doctest::Contains(":1: a label without"));
  const auto garbage = write_temp("sst-garbage.txt", "positive great\n");
  CHECK_THROWS_WITH(read_examples(garbage, Task::binary), doctest::Contains("label 'positive'"));
  const auto empty = write_temp("sst-none.txt", "\n\n");
  CHECK_THROWS_WITH(read_examples(empty, Task::binary), doctest::Contains("holds no examples"));
}

TEST_CASE("the tokenizer lower-cases and splits like the treebank") {
  CHECK(tokenize("Wow, I love the sound of this acoustic guitar!") ==
        std::vector<std::string>{"wow", ",", "i", "love", "the", "sound", "of", "this", "acoustic",
                                 "guitar", "!"});
  CHECK(tokenize("Can't say I didn't") ==
        std::vector<std::string>{"ca", "n't", "say", "i", "did", "n't"});
  CHECK(tokenize("it's well-made") == std::vector<std::string>{"it", "'s", "well-made"});
  CHECK(tokenize("").empty());
  CHECK(tokenize("caf\xc3\xa9 \xff\xfe").size() == 2);  // UTF-8 and stray bytes pass through
}

TEST_CASE("the vocabulary keeps frequent unigrams and bigrams") {
  const std::vector<Example> train = {
      {1, {"good", "film"}}, {0, {"bad", "film"}}, {1, {"good", "film"}}};
  const Vocabulary v = Vocabulary::build(train, 2, true);
  CHECK(v.size() == 2 + 3);  // <pad> <unk> film good good_film
  const auto ids = v.encode({"good", "film", "zzz"});
  CHECK(ids.size() == 5);  // 3 unigrams + 2 bigrams
  CHECK(ids[2] == Vocabulary::kUnknown);
  const auto path = (std::filesystem::temp_directory_path() / "vocab-test.txt").string();
  v.save(path);
  const Vocabulary back = Vocabulary::load(path);
  CHECK(back.fingerprint() == v.fingerprint());
  CHECK(back.encode({"good", "film"}) == v.encode({"good", "film"}));
  CHECK_THROWS_AS(Vocabulary::build(train, 10, false), ag::ValueError);
  CHECK_THROWS_AS(Vocabulary::load(write_temp("not-vocab.txt", "hello\n")), ag::FileError);
}

TEST_CASE("a literal <pad> or <unk> in the text is an unknown word, never the padding id") {
  // Found by tests/fuzz/sentiment_fuzz: "<pad>" used to encode as id 0.
  const std::vector<Example> train = {{1, {"<pad>", "good"}}, {0, {"<unk>", "<pad>", "good"}}};
  for (int min_count : {1, 2}) {
    const Vocabulary v = Vocabulary::build(train, min_count, false);
    for (std::int64_t id : v.encode({"<pad>", "<unk>"})) CHECK(id == Vocabulary::kUnknown);
  }
  std::istringstream file("autograd-sentiment-vocabulary 1 unigrams\n<pad>\n<unk>\ngood\n");
  CHECK(Vocabulary::load(file, "memory").encode({"<pad>"}) ==
        std::vector<std::int64_t>{Vocabulary::kUnknown});
}

TEST_CASE("the reader takes any stream, naming it in errors") {
  std::istringstream good("1 a fine film\n\n0 dull\r\n");
  const auto examples = read_examples(good, Task::binary, "memory");
  CHECK(examples.size() == 2);
  CHECK(examples[1].tokens == std::vector<std::string>{"dull"});
  std::istringstream bad("1 fine\n7 what\n");
  CHECK_THROWS_WITH_AS(read_examples(bad, Task::binary, "memory"), doctest::Contains("memory:2"),
                       ag::FileError);
}

TEST_CASE("nb features: presence times the Naive Bayes log-count ratio, rows of unit length") {
  // Features 2..4; feature 2 only in positive sentences, 4 mostly negative.
  const std::vector<std::vector<std::int64_t>> ids = {{2, 3, 3}, {2, 4}, {3, 4}, {4}};
  const std::vector<int> labels = {1, 1, 0, 0};
  Classifier model(ModelConfig{.features = "nb", .vocabulary = 5, .classes = 2});
  model.set_feature_weights(ids, labels);
  // Sentences holding each feature: positive {2: 2, 3: 1, 4: 1} of 4, negative
  // {3: 1, 4: 2} of 3; add-one smoothing over 5 features.
  auto ratio = [](double pos, double neg) {
    return std::fabs(std::log((pos + 1) / 9) - std::log((neg + 1) / 8));
  };
  const auto w = model.feature_weight.to_vector();
  CHECK(w[2] == doctest::Approx(ratio(2, 0)));
  CHECK(w[3] == doctest::Approx(ratio(1, 1)));
  CHECK(w[4] == doctest::Approx(ratio(1, 2)));
  CHECK(w[2] > w[4]);
  CHECK(w[4] > w[3]);
  CHECK_THROWS_AS(model.set_feature_weights(ids, {1, 1, 0}), ag::ValueError);
  CHECK_THROWS_AS(model.set_feature_weights(ids, {1, 2, 0, 0}), ag::ValueError);
  CHECK_THROWS_AS(model.set_feature_weights({{5}}, {0}), ag::ValueError);
  // A repeated feature counts once; the row has unit length.
  const auto row = batch_input(model, {{2, 2, 3}}).to_vector();
  const double norm = std::hypot(w[2], w[3]);
  CHECK(row[2] == doctest::Approx(w[2] / norm));
  CHECK(row[3] == doctest::Approx(w[3] / norm));
  CHECK(row[4] == 0.0);
  // Three classes: the largest one-against-the-rest ratio.
  Classifier three(ModelConfig{.features = "nb", .vocabulary = 5, .classes = 3});
  three.set_feature_weights({{2}, {3}, {4}}, {0, 1, 2});
  CHECK(three.feature_weight.to_vector()[2] ==
        doctest::Approx(std::fabs(std::log(2.0 / 6) - std::log(1.0 / 7))));
}

TEST_CASE("dense features: counts times idf, rows of unit length") {
  Classifier model(ModelConfig{.features = "dense", .vocabulary = 4, .classes = 2});
  model.set_feature_weights({{2, 3}, {3}}, {1, 0});
  const auto w = model.feature_weight.to_vector();
  CHECK(w[2] == doctest::Approx(std::log(2.0 / 2) + 1));
  CHECK(w[3] == doctest::Approx(std::log(2.0 / 3) + 1));
  const auto row = batch_input(model, {{2, 2, 3}}).to_vector();
  CHECK(row[2] / row[3] == doctest::Approx(2 * w[2] / w[3]));
  CHECK(std::hypot(row[2], row[3]) == doctest::Approx(1.0));
}

TEST_CASE("sequence models: a sentence's logits do not depend on its batch's padding") {
  for (const char* features : {"lstm", "bilstm", "cnn"}) {
    CAPTURE(features);
    ag::manual_seed(3);
    Classifier model(ModelConfig{.features = features,
                                 .vocabulary = 10,
                                 .dim = 6,
                                 .hidden = 4,
                                 .classes = 3,
                                 .dropout = 0.5});
    CHECK(model.sparse_parameters() == std::vector<std::string>{"embed.weight"});
    model.eval();
    const std::vector<std::int64_t> short_one{2, 3}, long_one{4, 5, 6, 7, 8, 9, 2};
    const ag::Tensor both = classify(model, {short_one, long_one});
    CHECK(both.shape() == ag::Shape{2, 3});
    const auto alone = classify(model, {short_one}).to_vector();
    const auto in_batch = ag::select(both, 0, 0).to_vector();
    for (std::size_t k = 0; k < alone.size(); ++k) {
      CHECK(in_batch[k] == doctest::Approx(alone[k]).epsilon(1e-5));
    }
    CHECK_THROWS_AS(model(ag::zeros({1, 2})), ag::GraphError);  // needs (ids, lengths)
  }
}

TEST_CASE("precision, recall, F1 and the confusion matrix") {
  Confusion c(2);
  for (int i = 0; i < 8; ++i) c.add(1, 1);
  for (int i = 0; i < 2; ++i) c.add(1, 0);
  for (int i = 0; i < 6; ++i) c.add(0, 0);
  for (int i = 0; i < 4; ++i) c.add(0, 1);
  CHECK(c.accuracy() == doctest::Approx(14.0 / 20));
  CHECK(c.precision(1) == doctest::Approx(8.0 / 12));
  CHECK(c.recall(1) == doctest::Approx(0.8));
  CHECK(c.f1(1) == doctest::Approx(2 * (8.0 / 12) * 0.8 / (8.0 / 12 + 0.8)));
  const std::string report = c.report({"negative", "positive"});
  CHECK(report.find("negative") != std::string::npos);
  CHECK(report.find("truth \\ predicted") != std::string::npos);
}

// SPDX-License-Identifier: MIT
#include "runs.hpp"

#include <charconv>
#include <fstream>
#include <map>

#include "errors.hpp"

namespace fs = std::filesystem;

namespace sentiment {

void save_config(const fs::path& dir, const Options& o, const ModelConfig& c, const Vocabulary& v) {
  std::ofstream f(dir / "config.txt");
  f << "task " << o.task << "\nfeatures " << c.features << "\nvocabulary " << c.vocabulary
    << "\ndim " << c.dim << "\nhidden " << c.hidden << "\nclasses " << c.classes << "\nactivation "
    << c.activation << "\nfingerprint " << v.fingerprint() << "\n";
}

namespace {

// config.txt as written by save_config: one "key value" per line. Every
// problem names the file, the line and what was expected.
struct Config {
  std::string file;
  std::map<std::string, std::pair<std::string, int>> entries;  // value, line

  std::string text(const char* key) const {
    const auto it = entries.find(key);
    if (it == entries.end()) fail<ag::FileError>("{}: no '{}' line", file, key);
    return it->second.first;
  }
  std::int64_t whole(const char* key, std::int64_t high) const {
    const std::string value = text(key);
    std::int64_t n = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (error != std::errc() || end != value.data() + value.size() || n < 1 || n > high) {
      fail<ag::FileError>("{}:{}: {} must be a whole number in [1, {}], not '{}'", file,
                          entries.at(key).second, key, high, excerpt(value));
    }
    return n;
  }
};

Config read_config(const fs::path& dir) {
  if (!fs::exists(dir / "config.txt")) {
    fail<ag::FileError>("no saved run in '{}' (train one first)", dir.string());
  }
  Config config{(dir / "config.txt").string(), {}};
  std::ifstream f = open_input(config.file, "run configuration");
  std::string line;
  for (int number = 1; std::getline(f, line); ++number) {
    const auto space = line.find(' ');
    if (line.empty() || space == 0 || space == std::string::npos ||
        line.find(' ', space + 1) != std::string::npos) {
      fail<ag::FileError>("{}:{}: expected 'key value', got '{}'", config.file, number,
                          excerpt(line));
    }
    config.entries[line.substr(0, space)] = {line.substr(space + 1), number};
  }
  return config;
}

}  // namespace

Run load_run(const fs::path& dir) {
  const Config config = read_config(dir);
  Run run{parse_task(config.text("task")), Vocabulary::load((dir / "vocab.txt").string()), nullptr};
  const auto classes = static_cast<std::int64_t>(class_names(run.task).size());
  const ModelConfig c{config.text("features"),          run.vocab.size(),
                      config.whole("dim", 65536),       config.whole("hidden", 65536),
                      config.whole("classes", classes), config.text("activation")};
  if (std::to_string(run.vocab.fingerprint()) != config.text("fingerprint") ||
      config.whole("vocabulary", run.vocab.size()) != run.vocab.size()) {
    fail<ag::FileError>("'{}': the vocabulary does not belong to this model", dir.string());
  }
  run.model = std::make_unique<Classifier>(c);
  ag::io::load_checkpoint((dir / "model.bin").string(), *run.model);
  return run;
}

std::vector<std::vector<std::int64_t>> encode_all(const Vocabulary& v,
                                                  const std::vector<Example>& data) {
  std::vector<std::vector<std::int64_t>> out;
  for (const Example& e : data) out.push_back(v.encode(e.tokens));
  return out;
}

Confusion evaluate(Classifier& model, const std::vector<std::vector<std::int64_t>>& ids,
                   const std::vector<Example>& data, std::size_t classes, double* loss) {
  ag::NoGradGuard no_grad;
  model.eval();
  Confusion confusion(classes);
  double total = 0;
  for (std::size_t start = 0; start < ids.size(); start += 256) {
    const std::size_t end = std::min(ids.size(), start + 256);
    std::vector<std::vector<std::int64_t>> chunk(ids.begin() + start, ids.begin() + end);
    std::vector<std::int64_t> labels;
    for (std::size_t i = start; i < end; ++i) labels.push_back(data[i].label);
    const ag::Tensor logits = classify(model, chunk);
    total += ag::nn::cross_entropy(logits, ag::index_tensor(labels),
                                   {.reduction = ag::nn::Reduction::sum})
                 .item();
    const auto predicted = ag::max(logits, 1).indices.to_vector();
    for (std::size_t i = 0; i < labels.size(); ++i) {
      confusion.add(static_cast<int>(labels[i]), static_cast<int>(predicted[i]));
    }
  }
  model.train();
  if (loss) *loss = total / static_cast<double>(ids.size());
  return confusion;
}

}  // namespace sentiment

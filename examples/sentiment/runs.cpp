#include "runs.hpp"

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

Run load_run(const fs::path& dir) {
  std::ifstream f(dir / "config.txt");
  if (!f) fail<ag::FileError>("no saved run in '{}' (train one first)", dir.string());
  std::map<std::string, std::string> kv;
  for (std::string key, value; f >> key >> value;) kv[key] = value;
  for (const char* key : {"task", "features", "vocabulary", "dim", "hidden", "classes",
                          "activation", "fingerprint"}) {
    if (!kv.count(key)) {
      fail<ag::FileError>("'{}': config.txt lacks '{}'", dir.string(), key);
    }
  }
  Run run{parse_task(kv["task"]), Vocabulary::load((dir / "vocab.txt").string()), nullptr};
  if (std::to_string(run.vocab.fingerprint()) != kv["fingerprint"] ||
      run.vocab.size() != std::stoll(kv["vocabulary"])) {
    fail<ag::FileError>("'{}': the vocabulary does not belong to this model", dir.string());
  }
  const ModelConfig c{kv["features"],           std::stoll(kv["vocabulary"]), std::stoll(kv["dim"]),
                      std::stoll(kv["hidden"]), std::stoll(kv["classes"]),    kv["activation"]};
  run.model = std::make_unique<Classifier>(c);
  ag::nn::load_checkpoint((dir / "model.bin").string(), *run.model);
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
    const ag::Tensor logits = model(batch_input(model, chunk));
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

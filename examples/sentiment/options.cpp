// SPDX-License-Identifier: MIT
#include "options.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>

#include "autograd/nn/nn.hpp"
#include "errors.hpp"

namespace sentiment {
namespace {

constexpr const char* kUsage = R"(usage: sentiment [flags]
  --data DIR          SST files (default ../shared/data/sst beside the repository)
  --task T            binary | fine | three                        (default binary)
  --features F        nb (each feature present, weighted by its Naive Bayes log-count ratio;
                      Linear, Adam) | dense (TF-IDF; Linear, Adam) | bag (EmbeddingBag
                      averaging embeddings; sparse gradients, SparseAdam)   (default nb)
                      | lstm | bilstm (an LSTM over the words in order, its final states
                      classified) | cnn (Kim's CNN: widths 3, 4, 5 with --hidden maps each,
                      max over time); these read unigrams in order (no bigrams)
  --model M           the same as --features
  --optimizer O       adam | adamw | sgd | rmsprop | adagrad | adadelta for the dense layers
                      (bag features: the embeddings always train with sparse_adam)
  --lr X              learning rate (default 0.001)
  --epochs N          at most N epochs (default 12); --patience N: stop after N without a better dev
  --batch N           batch size (default 32)
  --dim N --hidden N  embedding and hidden sizes (default 64, 64)
  --activation A      tanh | relu                                  (default tanh)
  --dropout P         dropout on features and hidden units          (default 0.5)
  --min-count N       keep features seen N times in training (default 2); --no-bigrams
  --schedule S        cosine | step | none                         (default cosine)
  --seed N            everything is reproducible from it           (default 1)
  --name NAME         run directory runs/NAME                      (default the task)
  --runs DIR          where runs go                                (default runs)
  --threads N         BLAS threads (default: as set by the library)
  --quiet             no progress bar
  --predict [TEXT]    classify TEXT (default: the lecture's three sentences) with a saved run
  --eval FILE         evaluate a saved run on FILE (same format as the SST files)
)";

}  // namespace

Options parse_options(int argc, char** argv) {
  Options o;
  o.data = AG_DEFAULT_DATA_DIR;
  // Flags that take a value: text ones, then numeric ones.
  const std::map<std::string, std::string*> text = {
      {"--data", &o.data},         {"--task", &o.task},           {"--features", &o.features},
      {"--model", &o.features},    {"--optimizer", &o.optimizer}, {"--activation", &o.activation},
      {"--schedule", &o.schedule}, {"--name", &o.name},           {"--runs", &o.runs}};
  // Whole-number flags and their ranges; a fraction ("--epochs 2.7") is an
  // error, not truncated.
  struct Whole {
    std::int64_t* target;
    std::int64_t low, high;
  };
  std::int64_t epochs = o.epochs, batch = o.batch, patience = o.patience, min_count = o.min_count,
               threads = o.threads, seed = 1;
  const std::map<std::string, Whole> whole = {
      {"--epochs", {&epochs, 1, 100'000}},     {"--batch", {&batch, 1, 1'000'000}},
      {"--patience", {&patience, 1, 100'000}}, {"--min-count", {&min_count, 1, 1'000'000'000}},
      {"--threads", {&threads, 0, 1024}},      {"--dim", {&o.dim, 1, 65536}},
      {"--hidden", {&o.hidden, 1, 65536}},     {"--seed", {&seed, 0, std::int64_t{1} << 53}}};
  // Real-valued flags, in [low, high).
  struct Real {
    double* target;
    double low, high;
  };
  const std::map<std::string, Real> real = {{"--lr", {&o.lr, 0.0, 1e6}},
                                            {"--dropout", {&o.dropout, 0.0, 1.0}}};
  for (int k = 1; k < argc; ++k) {
    const std::string flag = argv[k];
    auto value = [&]() -> std::string {
      if (k + 1 >= argc) fail<ag::ValueError>("{}: missing value", flag);
      return argv[++k];
    };
    if (flag == "--help" || flag == "-h") {
      fmt::print("{}", kUsage);
      std::exit(0);
    } else if (text.count(flag)) {
      *text.at(flag) = value();
    } else if (whole.count(flag)) {
      const std::string v = value();
      const Whole w = whole.at(flag);
      std::int64_t n = 0;
      const auto [end, error] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (error != std::errc() || end != v.data() + v.size() || n < w.low || n > w.high) {
        fail<ag::ValueError>("{}: '{}' is not a whole number in [{}, {}]", flag, excerpt(v), w.low,
                             w.high);
      }
      *w.target = n;
    } else if (real.count(flag)) {
      const std::string v = value();
      const Real r = real.at(flag);
      char* end = nullptr;
      const double x = std::strtod(v.c_str(), &end);
      if (v.empty() || *end || !(x >= r.low && x < r.high)) {
        fail<ag::ValueError>("{}: '{}' is not a number in [{}, {})", flag, excerpt(v), r.low,
                             r.high);
      }
      *r.target = x;
    } else if (flag == "--no-bigrams") {
      o.bigrams = false;
    } else if (flag == "--quiet") {
      o.quiet = true;
    } else if (flag == "--eval") {
      o.eval = value();
    } else if (flag == "--predict") {
      o.predict = (k + 1 < argc && std::string(argv[k + 1]).rfind("--", 0) != 0) ? argv[++k] : "";
    } else {
      fail<ag::ValueError>("unknown flag '{}' (see --help)", flag);
    }
  }
  o.epochs = static_cast<int>(epochs);
  o.batch = static_cast<int>(batch);
  o.patience = static_cast<int>(patience);
  o.min_count = static_cast<int>(min_count);
  o.threads = static_cast<int>(threads);
  o.seed = static_cast<std::uint64_t>(seed);
  if (o.name.empty()) o.name = o.task + (o.features == "nb" ? "" : "-" + o.features);
  const bool sequence = o.features == "lstm" || o.features == "bilstm" || o.features == "cnn";
  if (sequence) o.bigrams = false;  // word order is the model's to read
  if (o.optimizer.empty()) {
    o.optimizer = o.features == "bag" || sequence ? "sparse_adam+adam" : "adam";
  }
  return o;
}

}  // namespace sentiment

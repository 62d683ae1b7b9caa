#include "options.hpp"

#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>

#include "errors.hpp"
#include "nn/nn.hpp"

namespace sentiment {
namespace {

constexpr const char* kUsage = R"(usage: sentiment [flags]
  --data DIR          SST files (default ../shared/data/sst beside the repository)
  --task T            binary | fine | three                        (default binary)
  --features F        nb (each feature present, weighted by its Naive Bayes log-count ratio;
                      Linear, Adam) | dense (TF-IDF; Linear, Adam) | bag (EmbeddingBag
                      averaging embeddings; sparse gradients, SparseAdam)   (default nb)
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
  const std::map<std::string, std::string*> text = {{"--data", &o.data},
                                                    {"--task", &o.task},
                                                    {"--features", &o.features},
                                                    {"--optimizer", &o.optimizer},
                                                    {"--activation", &o.activation},
                                                    {"--schedule", &o.schedule},
                                                    {"--name", &o.name},
                                                    {"--runs", &o.runs}};
  std::int64_t epochs = o.epochs, batch = o.batch, patience = o.patience, min_count = o.min_count,
               threads = o.threads, seed = 1;
  const std::map<std::string, std::function<void(double)>> numbers = {
      {"--lr", [&](double x) { o.lr = x; }},
      {"--dropout", [&](double x) { o.dropout = x; }},
      {"--epochs", [&](double x) { epochs = static_cast<std::int64_t>(x); }},
      {"--batch", [&](double x) { batch = static_cast<std::int64_t>(x); }},
      {"--patience", [&](double x) { patience = static_cast<std::int64_t>(x); }},
      {"--min-count", [&](double x) { min_count = static_cast<std::int64_t>(x); }},
      {"--threads", [&](double x) { threads = static_cast<std::int64_t>(x); }},
      {"--dim", [&](double x) { o.dim = static_cast<std::int64_t>(x); }},
      {"--hidden", [&](double x) { o.hidden = static_cast<std::int64_t>(x); }},
      {"--seed", [&](double x) { seed = static_cast<std::int64_t>(x); }}};
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
    } else if (numbers.count(flag)) {
      const std::string v = value();
      char* end = nullptr;
      const double x = std::strtod(v.c_str(), &end);
      if (v.empty() || *end || !std::isfinite(x) || std::fabs(x) > 1e12) {
        fail<ag::ValueError>("{}: '{}' is not a usable number", flag, v);
      }
      numbers.at(flag)(x);
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
  if (epochs < 1 || batch < 1 || patience < 1 || min_count < 1 || threads < 0 || seed < 0 ||
      o.dim < 1 || o.hidden < 1 || epochs > 100000 || batch > 1000000) {
    fail<ag::ValueError>(
        "--epochs, --batch, --patience, --dim, --hidden, --min-count must be >= 1");
  }
  o.epochs = static_cast<int>(epochs);
  o.batch = static_cast<int>(batch);
  o.patience = static_cast<int>(patience);
  o.min_count = static_cast<int>(min_count);
  o.threads = static_cast<int>(threads);
  o.seed = static_cast<std::uint64_t>(seed);
  if (o.name.empty()) o.name = o.task + (o.features == "nb" ? "" : "-" + o.features);
  if (o.optimizer.empty()) o.optimizer = o.features == "bag" ? "sparse_adam+adam" : "adam";
  if (o.lr == 0) o.lr = 0.001;
  return o;
}

}  // namespace sentiment

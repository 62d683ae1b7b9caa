// `sentiment`: the lecture's running task on the Stanford Sentiment Treebank.
// Trains a bag-of-words classifier, reports dev metrics, saves the best
// model; --predict and --eval reuse a saved run. --help lists the flags.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <numeric>
#include <optional>

#include "dataset.hpp"
#include "metrics.hpp"
#include "model.hpp"
#include "plot.hpp"

namespace fs = std::filesystem;
using namespace sentiment;

namespace {

struct Options {
  std::string data = AG_DEFAULT_DATA_DIR;
  std::string task = "binary", features = "nb", optimizer, activation = "tanh";
  std::string schedule = "cosine", name, runs = "runs";
  double lr = 0, dropout = 0.5;
  int epochs = 12, batch = 32, patience = 3, min_count = 2, threads = 0;
  std::int64_t dim = 64, hidden = 64;
  bool bigrams = true, quiet = false;
  std::uint64_t seed = 1;
  std::optional<std::string> predict, eval;
};

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

Options parse(int argc, char** argv) {
  Options o;
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
      if (k + 1 >= argc) ag::detail::fail<ag::ValueError>("{}: missing value", flag);
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
        ag::detail::fail<ag::ValueError>("{}: '{}' is not a usable number", flag, v);
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
      ag::detail::fail<ag::ValueError>("unknown flag '{}' (see --help)", flag);
    }
  }
  if (epochs < 1 || batch < 1 || patience < 1 || min_count < 1 || threads < 0 || seed < 0 ||
      o.dim < 1 || o.hidden < 1 || epochs > 100000 || batch > 1000000) {
    ag::detail::fail<ag::ValueError>(
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

// ---- a saved run: config.txt, vocab.txt, model.bin ---------------------------

void save_config(const fs::path& dir, const Options& o, const ModelConfig& c, const Vocabulary& v) {
  std::ofstream f(dir / "config.txt");
  f << "task " << o.task << "\nfeatures " << c.features << "\nvocabulary " << c.vocabulary
    << "\ndim " << c.dim << "\nhidden " << c.hidden << "\nclasses " << c.classes << "\nactivation "
    << c.activation << "\nfingerprint " << v.fingerprint() << "\n";
}

struct Run {
  Task task;
  Vocabulary vocab;
  std::unique_ptr<Classifier> model;
};

Run load_run(const fs::path& dir) {
  std::ifstream f(dir / "config.txt");
  if (!f) ag::detail::fail<ag::FileError>("no saved run in '{}' (train one first)", dir.string());
  std::map<std::string, std::string> kv;
  for (std::string key, value; f >> key >> value;) kv[key] = value;
  for (const char* key : {"task", "features", "vocabulary", "dim", "hidden", "classes",
                          "activation", "fingerprint"}) {
    if (!kv.count(key)) {
      ag::detail::fail<ag::FileError>("'{}': config.txt lacks '{}'", dir.string(), key);
    }
  }
  Run run{parse_task(kv["task"]), Vocabulary::load((dir / "vocab.txt").string()), nullptr};
  if (std::to_string(run.vocab.fingerprint()) != kv["fingerprint"] ||
      run.vocab.size() != std::stoll(kv["vocabulary"])) {
    ag::detail::fail<ag::FileError>("'{}': the vocabulary does not belong to this model",
                                    dir.string());
  }
  const ModelConfig c{kv["features"],           std::stoll(kv["vocabulary"]), std::stoll(kv["dim"]),
                      std::stoll(kv["hidden"]), std::stoll(kv["classes"]),    kv["activation"]};
  run.model = std::make_unique<Classifier>(c);
  ag::nn::load_checkpoint((dir / "model.bin").string(), *run.model);
  return run;
}

// ---- training ------------------------------------------------------------------

std::vector<std::vector<std::int64_t>> encode_all(const Vocabulary& v,
                                                  const std::vector<Example>& data) {
  std::vector<std::vector<std::int64_t>> out;
  for (const Example& e : data) out.push_back(v.encode(e.tokens));
  return out;
}

Confusion evaluate(Classifier& model, const std::vector<std::vector<std::int64_t>>& ids,
                   const std::vector<Example>& data, std::size_t classes, double* loss = nullptr) {
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

// The optimizer(s): sparse embeddings need SparseAdam; the dense layers get `dense`.
struct Optimizers {
  std::vector<std::unique_ptr<ag::optim::Optimizer>> all;
  void zero_grad() {
    for (auto& o : all) o->zero_grad();
  }
  void step() {
    for (auto& o : all) o->step();
  }
};

std::unique_ptr<ag::optim::Optimizer> dense_optimizer(const std::string& name,
                                                      std::vector<ag::Tensor> params, double lr) {
  using namespace ag::optim;
  if (name == "adam") return std::make_unique<Adam>(params, AdamOptions{.lr = lr});
  if (name == "adamw")
    return std::make_unique<AdamW>(params, AdamOptions{.lr = lr, .weight_decay = 1e-2});
  if (name == "sgd") return std::make_unique<SGD>(params, SGDOptions{.lr = lr, .momentum = 0.9});
  if (name == "rmsprop") return std::make_unique<RMSprop>(params, RMSpropOptions{.lr = lr});
  if (name == "adagrad") return std::make_unique<Adagrad>(params, AdagradOptions{.lr = lr});
  if (name == "adadelta") return std::make_unique<Adadelta>(params, AdadeltaOptions{.lr = lr});
  ag::detail::fail<ag::ValueError>("--optimizer: unknown '{}'", name);
}

Optimizers make_optimizers(Classifier& model, const Options& o) {
  Optimizers opt;
  std::vector<ag::Tensor> sparse, dense;
  for (auto& [name, p] : model.named_parameters()) {
    (name == "bag.weight" ? sparse : dense).push_back(p);
  }
  // The embedding's gradient is row-sparse: only SparseAdam takes it. The
  // dense layers use --optimizer (Adam by default).
  const bool default_choice = o.optimizer == "sparse_adam" || o.optimizer == "sparse_adam+adam";
  const std::string dense_name = default_choice ? "adam" : o.optimizer;
  if (!sparse.empty()) {
    opt.all.push_back(
        std::make_unique<ag::optim::SparseAdam>(sparse, ag::optim::SparseAdamOptions{.lr = o.lr}));
  } else if (o.optimizer == "sparse_adam") {
    ag::detail::fail<ag::ValueError>(
        "--optimizer sparse_adam needs --features bag (sparse "
        "embeddings); dense features take a dense optimizer");
  }
  opt.all.push_back(dense_optimizer(dense_name, dense, o.lr));
  return opt;
}

int train(const Options& o) {
  const Task task = parse_task(o.task);
  const auto names = class_names(task);
  const fs::path data(o.data);
  const auto train_set = read_examples((data / (file_prefix(task) + ".train")).string(), task);
  const auto dev_set = read_examples((data / (file_prefix(task) + ".dev")).string(), task);
  ag::manual_seed(o.seed);
  if (o.threads > 0) ag::set_num_threads(o.threads);
  const Vocabulary vocab = Vocabulary::build(train_set, o.min_count, o.bigrams);
  const auto train_ids = encode_all(vocab, train_set), dev_ids = encode_all(vocab, dev_set);
  const ModelConfig config{
      o.features,   vocab.size(), o.dim, o.hidden, static_cast<std::int64_t>(names.size()),
      o.activation, o.dropout};
  Classifier model(config);
  std::vector<int> train_labels;
  for (const Example& e : train_set) train_labels.push_back(e.label);
  model.set_feature_weights(train_ids, train_labels);
  Optimizers opt = make_optimizers(model, o);
  std::vector<std::unique_ptr<ag::optim::Scheduler>> schedules;
  for (auto& optimizer : opt.all) {
    if (o.schedule == "cosine") {
      schedules.push_back(std::make_unique<ag::optim::CosineAnnealingLR>(*optimizer, o.epochs));
    } else if (o.schedule == "step") {
      schedules.push_back(std::make_unique<ag::optim::StepLR>(*optimizer, 4, 0.5));
    } else if (o.schedule != "none") {
      ag::detail::fail<ag::ValueError>("--schedule: '{}' is not cosine, step or none", o.schedule);
    }
  }

  const fs::path run = fs::path(o.runs) / o.name;
  fs::create_directories(run);
  vocab.save((run / "vocab.txt").string());
  save_config(run, o, config, vocab);
  std::ofstream csv(run / "metrics.csv");
  csv << "epoch,train_loss,dev_loss,dev_accuracy,lr,seconds\n";

  fmt::print("{} task: {} train / {} dev sentences, {} features ({}), {} classes\n", o.task,
             train_set.size(), dev_set.size(), vocab.size(),
             o.bigrams ? "unigrams + bigrams" : "unigrams", names.size());
  fmt::print("model: {}, optimizer {}, lr {}, batch {}, seed {}\n\n", model.name(), o.optimizer,
             o.lr, o.batch, o.seed);
  const bool bar = !o.quiet && isatty(fileno(stderr));
  std::vector<std::size_t> order(train_set.size());
  std::iota(order.begin(), order.end(), 0);
  double best = -1;
  int best_epoch = 0, since_best = 0;
  std::vector<EpochPoint> curve;
  const auto t_start = std::chrono::steady_clock::now();
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t i = order.size(); i > 1; --i) {  // Fisher-Yates from the seeded generator
      std::swap(order[i - 1], order[ag::default_generator().next_u64() % i]);
    }
    double running = 0;
    std::size_t seen = 0;
    for (std::size_t start = 0; start < order.size(); start += o.batch) {
      const std::size_t end = std::min(order.size(), start + o.batch);
      std::vector<std::vector<std::int64_t>> chunk;
      std::vector<std::int64_t> labels;
      for (std::size_t i = start; i < end; ++i) {
        chunk.push_back(train_ids[order[i]]);
        labels.push_back(train_set[order[i]].label);
      }
      opt.zero_grad();
      const ag::Tensor loss =
          ag::nn::cross_entropy(model(batch_input(model, chunk)), ag::index_tensor(labels));
      loss.backward();
      opt.step();
      running += loss.item() * static_cast<double>(labels.size());
      seen += labels.size();
      if (bar) {
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const int filled = static_cast<int>(30.0 * seen / order.size());
        fmt::print(stderr, "\repoch {:2} [{:<30}] {:5}/{} {:6.0f} sentences/s  loss {:.4f}", epoch,
                   std::string(filled, '='), seen, order.size(), seen / std::max(secs, 1e-9),
                   running / seen);
      }
    }
    if (bar) fmt::print(stderr, "\r{:100}\r", "");
    double dev_loss = 0;
    const Confusion dev = evaluate(model, dev_ids, dev_set, names.size(), &dev_loss);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double lr = opt.all.back()->lr();
    fmt::print(
        "epoch {:2}  train loss {:.4f}  dev loss {:.4f}  dev accuracy {:.2f}%  lr {:.5f}  "
        "{:.2f}s\n",
        epoch, running / seen, dev_loss, 100 * dev.accuracy(), lr, secs);
    csv << fmt::format("{},{:.6f},{:.6f},{:.6f},{:.6g},{:.3f}\n", epoch, running / seen, dev_loss,
                       dev.accuracy(), lr, secs);
    curve.push_back({epoch, running / seen, dev_loss, dev.accuracy()});
    for (auto& s : schedules) s->step();
    if (dev.accuracy() > best) {
      best = dev.accuracy();
      best_epoch = epoch;
      since_best = 0;
      ag::nn::save_checkpoint((run / "model.bin").string(), model);
    } else if (++since_best >= o.patience) {
      fmt::print("early stop: no better dev accuracy for {} epochs\n", o.patience);
      break;
    }
  }
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  write_curve_svg((run / "curve.svg").string(), curve, o.task);
  Run saved = load_run(run);
  const Confusion final_dev = evaluate(*saved.model, dev_ids, dev_set, names.size());
  fmt::print("\nbest dev accuracy {:.2f}% (epoch {}), training {:.1f}s\n\n{}\n", 100 * best,
             best_epoch, total, final_dev.report(names));
  fmt::print("saved {}/: model.bin, vocab.txt, config.txt, metrics.csv, curve.svg\n", run.string());
  return 0;
}

int predict(const Options& o) {
  Run run = load_run(fs::path(o.runs) / o.name);
  const auto names = class_names(run.task);
  std::vector<std::string> texts;
  if (o.predict->empty()) {
    texts = {"Wow, I love the sound of this acoustic guitar!",
             "It was just another uneventful Marvel movie!",
             "Can't say I loved this performance, but I didn't dislike it either."};
  } else {
    texts = {*o.predict};
  }
  ag::NoGradGuard no_grad;
  run.model->eval();
  for (const std::string& text : texts) {
    const ag::Tensor p =
        ag::softmax((*run.model)(batch_input(*run.model, {run.vocab.encode(tokenize(text))})), 1);
    const auto probs = p.to_vector();
    const auto best = std::max_element(probs.begin(), probs.end()) - probs.begin();
    fmt::print("\"{}\"\n  -> {}  (", text, names[best]);
    for (std::size_t c = 0; c < probs.size(); ++c) {
      fmt::print("{}{} {:.3f}", c ? ", " : "", names[c], probs[c]);
    }
    fmt::print(")\n");
  }
  return 0;
}

int eval_file(const Options& o) {
  Run run = load_run(fs::path(o.runs) / o.name);
  const auto data = read_examples(*o.eval, run.task);
  const auto ids = encode_all(run.vocab, data);
  const Confusion c = evaluate(*run.model, ids, data, class_names(run.task).size());
  fmt::print("{}: {} sentences, accuracy {:.2f}%\n\n{}", *o.eval, data.size(), 100 * c.accuracy(),
             c.report(class_names(run.task)));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    if (o.predict) return predict(o);
    if (o.eval) return eval_file(o);
    return train(o);
  } catch (const std::exception& e) {
    fmt::print(stderr, "sentiment: {}\n", e.what());
    return 2;
  }
}

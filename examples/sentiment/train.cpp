// SPDX-License-Identifier: MIT
#include "train.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <numeric>

#include "errors.hpp"
#include "plot.hpp"
#include "runs.hpp"

namespace fs = std::filesystem;

namespace sentiment {
namespace {

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
  fail<ag::ValueError>("--optimizer: unknown '{}'", name);
}

Optimizers make_optimizers(Classifier& model, const Options& o) {
  Optimizers opt;
  std::vector<ag::Tensor> sparse, dense;
  const std::vector<std::string> sparse_names = model.sparse_parameters();
  for (auto& [name, p] : model.named_parameters()) {
    const bool is_sparse =
        std::find(sparse_names.begin(), sparse_names.end(), name) != sparse_names.end();
    (is_sparse ? sparse : dense).push_back(p);
  }
  // The embedding's gradient is row-sparse: only SparseAdam takes it. The
  // dense layers use --optimizer (Adam by default).
  const bool default_choice = o.optimizer == "sparse_adam" || o.optimizer == "sparse_adam+adam";
  const std::string dense_name = default_choice ? "adam" : o.optimizer;
  if (!sparse.empty()) {
    opt.all.push_back(
        std::make_unique<ag::optim::SparseAdam>(sparse, ag::optim::SparseAdamOptions{.lr = o.lr}));
  } else if (o.optimizer == "sparse_adam") {
    fail<ag::ValueError>(
        "--optimizer sparse_adam needs embeddings (--features bag, lstm, bilstm or cnn); "
        "dense features take a dense optimizer");
  }
  opt.all.push_back(dense_optimizer(dense_name, dense, o.lr));
  return opt;
}

// fmt::print on rank 0 only.
template <class... Args>
void print_on(bool main_rank, fmt::format_string<Args...> format, Args&&... args) {
  if (main_rank) fmt::print(format, std::forward<Args>(args)...);
}

}  // namespace

int train(const Options& o, Parallel& parallel) {
  const bool main_rank = parallel.is_main();
  const int rank = parallel.rank(), world = parallel.world();
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
  parallel.watch(model);  // several ranks: rank 0's initial weights everywhere
  Optimizers opt = make_optimizers(model, o);
  std::vector<std::unique_ptr<ag::optim::Scheduler>> schedules;
  for (auto& optimizer : opt.all) {
    if (o.schedule == "cosine") {
      schedules.push_back(std::make_unique<ag::optim::CosineAnnealingLR>(*optimizer, o.epochs));
    } else if (o.schedule == "step") {
      schedules.push_back(std::make_unique<ag::optim::StepLR>(*optimizer, 4, 0.5));
    } else if (o.schedule != "none") {
      fail<ag::ValueError>("--schedule: '{}' is not cosine, step or none", o.schedule);
    }
  }

  const fs::path run = fs::path(o.runs) / o.name;
  std::ofstream csv;
  if (main_rank) {
    fs::create_directories(run);
    vocab.save((run / "vocab.txt").string());
    save_config(run, o, config, vocab);
    csv.open(run / "metrics.csv");
    csv << "epoch,train_loss,dev_loss,dev_accuracy,lr,seconds\n";
  }
  // One process draws the order from the default generator, as it always
  // did; ranks draw it from their own, seeded alike (dropout draws a
  // different amount on each rank), and dropout differently per rank.
  ag::Generator order_generator(o.seed);
  ag::Generator& orders = world > 1 ? order_generator : ag::default_generator();
  if (world > 1) ag::manual_seed(o.seed * 1000003u + static_cast<std::uint64_t>(rank));

  print_on(main_rank, "{} task: {} train / {} dev sentences, {} features ({}), {} classes\n",
           o.task, train_set.size(), dev_set.size(), vocab.size(),
           o.bigrams ? "unigrams + bigrams" : "unigrams", names.size());
  print_on(main_rank, "model: {}, optimizer {}, lr {}, batch {}, seed {}{}\n\n", model.name(),
           o.optimizer, o.lr, o.batch, o.seed, world > 1 ? fmt::format(", {} ranks", world) : "");
  const bool bar = main_rank && !o.quiet && isatty(fileno(stderr));
  std::vector<std::size_t> order(train_set.size());
  std::iota(order.begin(), order.end(), 0);
  double best = -1;
  int best_epoch = 0, since_best = 0;
  std::vector<EpochPoint> curve;
  const auto t_start = std::chrono::steady_clock::now();
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t i = order.size(); i > 1; --i) {  // Fisher-Yates from the seeded generator
      std::swap(order[i - 1], order[orders.next_u64() % i]);
    }
    double running = 0;
    std::size_t seen = 0;
    for (std::size_t start = 0; start < order.size(); start += o.batch) {
      const std::size_t end = std::min(order.size(), start + o.batch);
      if (end - start < static_cast<std::size_t>(world)) break;  // a rank would get nothing
      // This rank's part of the batch: positions start + rank, + world, ...
      std::vector<std::vector<std::int64_t>> chunk;
      std::vector<std::int64_t> labels;
      for (std::size_t i = start + rank; i < end; i += world) {
        chunk.push_back(train_ids[order[i]]);
        labels.push_back(train_set[order[i]].label);
      }
      opt.zero_grad();
      const ag::Tensor loss =
          ag::nn::cross_entropy(classify(model, chunk), ag::index_tensor(labels));
      loss.backward();
      parallel.synchronize();  // several ranks: the gradients are now the means
      opt.step();
      running += loss.item() * static_cast<double>(labels.size());
      seen += labels.size();
      if (bar) {
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const int filled = static_cast<int>(30.0 * seen / order.size());
        fmt::print(stderr, "\repoch {:2} [{:<30}] {:5}/{} {:6.0f} sentences/s  loss {:.4f}", epoch,
                   std::string(filled, '='), seen * world, order.size(),
                   seen * world / std::max(secs, 1e-9), running / seen);
      }
    }
    if (bar) fmt::print(stderr, "\r{:100}\r", "");
    // Every rank evaluates the same model on all of dev; the averages keep
    // the ranks' decisions (best epoch, early stop) identical.
    const double train_loss = parallel.average(running) / parallel.average(seen);
    double dev_loss = 0;
    const Confusion dev = evaluate(model, dev_ids, dev_set, names.size(), &dev_loss);
    const double dev_accuracy = parallel.average(dev.accuracy());
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double lr = opt.all.back()->lr();
    print_on(main_rank,
             "epoch {:2}  train loss {:.4f}  dev loss {:.4f}  dev accuracy {:.2f}%  lr {:.5f}  "
             "{:.2f}s\n",
             epoch, train_loss, dev_loss, 100 * dev_accuracy, lr, secs);
    if (main_rank) {
      csv << fmt::format("{},{:.6f},{:.6f},{:.6f},{:.6g},{:.3f}\n", epoch, train_loss, dev_loss,
                         dev_accuracy, lr, secs);
    }
    curve.push_back({epoch, train_loss, dev_loss, dev_accuracy});
    for (auto& s : schedules) s->step();
    if (dev_accuracy > best) {
      best = dev_accuracy;
      best_epoch = epoch;
      since_best = 0;
      if (main_rank) ag::io::save_checkpoint((run / "model.bin").string(), model);
    } else if (++since_best >= o.patience) {
      print_on(main_rank, "early stop: no better dev accuracy for {} epochs\n", o.patience);
      break;
    }
  }
  if (!main_rank) return 0;
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

}  // namespace sentiment

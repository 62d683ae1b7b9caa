// SPDX-License-Identifier: MIT
// `sentiment`: the lecture's running task on the Stanford Sentiment Treebank.
// Trains a bag-of-words classifier, reports dev metrics, saves the best
// model; --predict and --eval reuse a saved run. --help lists the flags.
// Training also runs as several processes: `mpirun -np 2 sentiment ...`.
// The pieces: options.cpp (flags), train.cpp (training), runs.cpp (saved
// runs, evaluation), model.cpp, dataset.cpp, metrics.cpp, plot.cpp,
// parallel.cpp (data-parallel ranks).
#include <fmt/format.h>

#include "parallel.hpp"
#include "runs.hpp"
#include "train.hpp"

using namespace sentiment;
namespace fs = std::filesystem;

namespace {

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
    const ag::Tensor p = ag::softmax(classify(*run.model, {run.vocab.encode(tokenize(text))}), 1);
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
  Parallel parallel(argc, argv);  // several ranks under mpirun (train only)
  try {
    const Options o = parse_options(argc, argv);
    if (o.predict) return predict(o);
    if (o.eval) return eval_file(o);
    return parallel.run([&] { return train(o, parallel); });
  } catch (const std::exception& e) {
    fmt::print(stderr, "sentiment: {}\n", e.what());
    return 2;
  }
}

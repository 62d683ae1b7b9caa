// SPDX-License-Identifier: MIT
// A character-level Transformer language model on a word list: it learns
// to spell, one character after another, and writes new words at the end.
// Written the way a PyTorch program is (nn.ModuleList of blocks, integer
// index tensors, a forward returning (logits, loss), AdamW, clipping), to
// show a port's parts: see docs/nn.md, "Porting from PyTorch".
//
//   char_lm [--words FILE] [--steps N] [--batch B] [--block T] [--dim D]
//           [--heads H] [--layers L] [--lr LR] [--seed S] [--threads K]
//
// Without --words, the distinct words of SST's training sentences
// (../shared/data/sst), 90 % to train and 10 % held out.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "autograd/nn/nn.hpp"
#include "flags.hpp"

using namespace ag;
using namespace ag::indexing;

namespace {

// Each word as "." + letters + ".": the dot starts and ends a word.
struct Words {
  std::vector<std::string> train, test;
  std::string alphabet;  // id k is alphabet[k]; '.' is 0
};

Words load_words(const std::string& path, bool from_sst, std::uint64_t seed) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::set<std::string> distinct;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string w;
    bool first = from_sst;  // SST lines start with their label
    while (words >> w) {
      if (first) {
        first = false;
        continue;
      }
      bool letters = !w.empty();
      for (char& c : w) {
        letters = letters && c >= 'a' && c <= 'z';
      }
      if (letters && w.size() <= 14) distinct.insert(w);
    }
  }
  if (distinct.size() < 20) throw std::runtime_error(path + ": fewer than 20 usable words");
  std::vector<std::string> all(distinct.begin(), distinct.end());
  Generator gen(seed);
  shuffle(all, gen);
  Words out;
  const std::size_t held = std::max<std::size_t>(1, all.size() / 10);
  out.test.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(held));
  out.train.assign(all.begin() + static_cast<std::ptrdiff_t>(held), all.end());
  std::set<char> chars{'.'};
  for (const std::string& w : all) chars.insert(w.begin(), w.end());
  out.alphabet.assign(chars.begin(), chars.end());
  return out;
}

// A batch of windows of `block` characters and the next character of each
// position, from words concatenated at random (int64 index tensors).
std::pair<Tensor, Tensor> batch_of(const std::vector<std::string>& words, const std::string& abc,
                                   std::int64_t batch, std::int64_t block, Generator& gen) {
  std::vector<std::int64_t> ids;
  while (static_cast<std::int64_t>(ids.size()) < batch * (block + 1) * 2) {
    const std::string& w = words[gen.below(words.size())];
    ids.push_back(0);
    for (char c : w) ids.push_back(static_cast<std::int64_t>(abc.find(c)));
  }
  const Tensor stream = Tensor::from(ids, {static_cast<std::int64_t>(ids.size())});
  // Random starts; x = stream[s : s + T], y = stream[s + 1 : s + T + 1].
  const Tensor starts = randint(0, stream.numel() - block - 1, {batch, 1}, gen);
  const Tensor offsets = arange(0, static_cast<double>(block), 1, DType::int64);
  const Tensor at = starts + offsets;  // (B, T), int64 broadcasting
  return {stream.index({at}), stream.index({at + 1})};
}

struct Block : nn::Module {
  std::int64_t heads;
  std::shared_ptr<nn::LayerNorm> ln1, ln2;
  std::shared_ptr<nn::Linear> qkv, proj, up, down;
  Block(std::int64_t dim, std::int64_t heads_) : heads(heads_) {
    ln1 = register_module("ln1", std::make_shared<nn::LayerNorm>(dim));
    qkv = register_module("qkv", std::make_shared<nn::Linear>(dim, 3 * dim));
    proj = register_module("proj", std::make_shared<nn::Linear>(dim, dim));
    ln2 = register_module("ln2", std::make_shared<nn::LayerNorm>(dim));
    up = register_module("up", std::make_shared<nn::Linear>(dim, 4 * dim));
    down = register_module("down", std::make_shared<nn::Linear>(4 * dim, dim));
  }
  Tensor forward(const Tensor& x) override {
    const std::int64_t b = x.size(0), t = x.size(1), d = x.size(2);
    // Causal self-attention over heads: (B, T, 3D) -> three (B, H, T, D/H).
    const std::vector<Tensor> parts = (*qkv)((*ln1)(x)).split(d, 2);
    const auto heads_of = [&](const Tensor& p) {
      return p.reshape({b, t, heads, d / heads}).transpose(1, 2);
    };
    const Tensor att = nn::scaled_dot_product_attention(heads_of(parts[0]), heads_of(parts[1]),
                                                        heads_of(parts[2]), Tensor(), 0.0, true);
    Tensor h = x + (*proj)(att.transpose(1, 2).reshape({b, t, d}));
    h += (*down)(gelu((*up)((*ln2)(h)), true));  // recorded: h takes the sum's node
    return h;
  }
  std::string name() const override { return "Block"; }
};

struct CharTransformer : nn::Module {
  std::shared_ptr<nn::Embedding> tokens, positions;
  std::shared_ptr<nn::ModuleList> blocks;
  std::shared_ptr<nn::LayerNorm> ln;
  std::shared_ptr<nn::Linear> head;
  CharTransformer(std::int64_t vocab, std::int64_t block, std::int64_t dim, std::int64_t heads,
                  std::int64_t layers) {
    tokens = register_module("tokens", std::make_shared<nn::Embedding>(vocab, dim));
    positions = register_module("positions", std::make_shared<nn::Embedding>(block, dim));
    blocks = register_module("blocks", std::make_shared<nn::ModuleList>());
    for (std::int64_t l = 0; l < layers; ++l) blocks->push_back(Block(dim, heads));
    ln = register_module("ln", std::make_shared<nn::LayerNorm>(dim));
    head = register_module("head", std::make_shared<nn::Linear>(dim, vocab));
  }
  using Module::forward;
  // (B, T) int64 -> logits (B, T, V) and, with targets, the mean cross-entropy.
  std::pair<Tensor, Tensor> forward(const Tensor& idx, const Tensor& targets = Tensor()) {
    const std::int64_t t = idx.size(1);
    Tensor h = (*tokens)(idx) + (*positions)(arange(0, static_cast<double>(t), 1, DType::int64));
    for (const auto& block : *blocks) h = (*block)(h);
    const Tensor logits = (*head)((*ln)(h));
    if (!targets.defined()) return {logits, Tensor()};
    const std::int64_t v = logits.size(2);
    return {logits, nn::cross_entropy(logits.reshape({-1, v}), targets.reshape({-1}))};
  }
  std::string name() const override { return "CharTransformer"; }
};

// Mean loss and next-character accuracy on `rounds` held-out batches.
std::pair<double, double> evaluate(CharTransformer& model, const Words& words, std::int64_t batch,
                                   std::int64_t block, int rounds, Generator& gen) {
  NoGradGuard no_grad;
  model.eval();
  double loss = 0, correct = 0, total = 0;
  for (int r = 0; r < rounds; ++r) {
    const auto [x, y] = batch_of(words.test, words.alphabet, batch, block, gen);
    const auto [logits, l] = nn::call(model, x, y);
    loss += l.item();
    correct += static_cast<double>((logits.argmax(2) == y).sum().item<std::int64_t>());
    total += static_cast<double>(y.numel());
  }
  model.train();
  return {loss / rounds, correct / total};
}

// New words, sampled one character at a time until the closing dot.
std::string sample_word(CharTransformer& model, const std::string& abc, std::int64_t block,
                        Generator& gen) {
  NoGradGuard no_grad;
  std::vector<std::int64_t> ids{0};
  std::string word;
  while (word.size() < 20) {
    const std::int64_t n = std::min<std::int64_t>(static_cast<std::int64_t>(ids.size()), block);
    const Tensor ctx = Tensor::from(std::vector<std::int64_t>(ids.end() - n, ids.end()), {1, n});
    const Tensor last = nn::call(model, ctx).first.index({0, -1});  // (V): the next char
    const std::int64_t next = multinomial(softmax(last, 0), 1, false, gen).item<std::int64_t>();
    if (next == 0) break;
    ids.push_back(next);
    word += abc[static_cast<std::size_t>(next)];
  }
  return word;
}

}  // namespace

int main(int argc, char** argv) {
  examples::Flags flags(argc, argv, "char_lm");
  const std::string words_file = flags.text("--words", "");
  const std::int64_t steps = flags.count("--steps", 600, 1);
  const std::int64_t batch = flags.count("--batch", 32, 1);
  const std::int64_t block = flags.count("--block", 16, 2);
  const std::int64_t dim = flags.count("--dim", 64, 4);
  const std::int64_t heads = flags.count("--heads", 4, 1);
  const std::int64_t layers = flags.count("--layers", 2, 1);
  const double lr = flags.number("--lr", 3e-3, 0.0);
  const std::int64_t seed = flags.count("--seed", 1, 0);
  const std::int64_t threads = flags.count("--threads", 1, 1);
  flags.done();
  if (dim % heads != 0) flags.error("--dim must be a multiple of --heads");
  try {
    set_num_threads(static_cast<int>(threads));
    const std::string path =
        words_file.empty() ? std::string(AG_SST_DIR) + "/stsa.binary.train" : words_file;
    const Words words = load_words(path, words_file.empty(), static_cast<std::uint64_t>(seed));
    const auto vocab = static_cast<std::int64_t>(words.alphabet.size());
    std::printf("%zu training words, %zu held out, %lld characters\n", words.train.size(),
                words.test.size(), static_cast<long long>(vocab));
    Generator gen(static_cast<std::uint64_t>(seed));
    CharTransformer model(vocab, block, dim, heads, layers);
    std::printf("%s: %lld parameters, %lld blocks\n", model.name().c_str(),
                static_cast<long long>(model.num_parameters()),
                static_cast<long long>(model.blocks->size()));
    optim::AdamW opt(model.parameters(), {.lr = lr});  // weight decay 0.01, PyTorch's default
    const auto start = std::chrono::steady_clock::now();
    double train_loss = 0;
    for (std::int64_t step = 1; step <= steps; ++step) {
      const auto [x, y] = batch_of(words.train, words.alphabet, batch, block, gen);
      opt.zero_grad();
      const auto [logits, loss] = nn::call(model, x, y);
      loss.backward();
      optim::clip_grad_norm_(model.parameters(), 1.0);
      opt.step();
      train_loss = step == 1 ? loss.item() : 0.95 * train_loss + 0.05 * loss.item();
      if (step % std::max<std::int64_t>(1, steps / 6) == 0 || step == steps) {
        const auto [test_loss, accuracy] = evaluate(model, words, batch, block, 4, gen);
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count() /
            static_cast<double>(step);
        std::printf(
            "step %5lld  train loss %.4f  test loss %.4f  next-char accuracy %.1f%%  %.2f "
            "ms/step\n",
            static_cast<long long>(step), train_loss, test_loss, 100 * accuracy, ms);
      }
    }
    std::printf("new words:");
    for (int k = 0; k < 8; ++k)
      std::printf(" %s", sample_word(model, words.alphabet, block, gen).c_str());
    std::printf("\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "char_lm: %s\n", e.what());
    return 1;
  }
}

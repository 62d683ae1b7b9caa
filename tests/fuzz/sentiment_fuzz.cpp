// SPDX-License-Identifier: MIT
// libFuzzer target: the sentiment example's data reader, tokenizer and
// vocabulary loader on arbitrary bytes (UTF-8 or not). The first byte picks
// the task; the rest is a data file. Either a clean ag::FileError /
// ag::ValueError or examples that satisfy the reader's contract.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "autograd/error.hpp"
#include "dataset.hpp"

namespace {

[[noreturn]] void violated(const char* what) {
  fmt::print(stderr, "sentiment_fuzz: invariant violated: {}\n", what);
  std::abort();
}

void check_tokens(const std::vector<std::string>& tokens) {
  for (const std::string& t : tokens) {
    if (t.empty()) violated("an empty token");
    for (unsigned char c : t)
      if (std::isspace(c)) violated("whitespace inside a token");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto task = static_cast<sentiment::Task>(data[0] % 3);
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  const int classes = static_cast<int>(sentiment::class_names(task).size());

  check_tokens(sentiment::tokenize(text));

  try {
    std::istringstream in(text);
    const auto examples = sentiment::read_examples(in, task, "fuzz");
    for (const auto& e : examples) {
      if (e.label < 0 || e.label >= classes) violated("a label outside the task's classes");
      if (e.tokens.empty()) violated("an example without tokens");
      check_tokens(e.tokens);
    }
    const auto vocab = sentiment::Vocabulary::build(examples, 1 + data[0] % 2, data[0] & 4);
    for (const auto& e : examples) {
      for (std::int64_t id : vocab.encode(e.tokens))
        if (id < 1 || id >= vocab.size()) violated("an encoded id outside the vocabulary");
    }
  } catch (const ag::FileError&) {
  } catch (const ag::ValueError&) {
  }

  try {
    std::istringstream in(text);
    const auto vocab = sentiment::Vocabulary::load(in, "fuzz");
    if (vocab.size() < 3) violated("a loaded vocabulary without features");
    (void)vocab.encode(sentiment::tokenize(text));
  } catch (const ag::FileError&) {
  }
  return 0;
}

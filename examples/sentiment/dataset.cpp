// SPDX-License-Identifier: MIT
#include "dataset.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "autograd/error.hpp"
#include "errors.hpp"

namespace sentiment {

using ag::FileError;

Task parse_task(const std::string& name) {
  if (name == "binary") return Task::binary;
  if (name == "fine") return Task::fine;
  if (name == "three") return Task::three;
  fail<ag::ValueError>("--task: '{}' is not binary, fine or three", name);
}

std::vector<std::string> class_names(Task task) {
  switch (task) {
    case Task::binary:
      return {"negative", "positive"};
    case Task::fine:
      return {"very negative", "negative", "neutral", "positive", "very positive"};
    case Task::three:
      return {"negative", "neutral", "positive"};
  }
  return {};
}

std::string file_prefix(Task task) { return task == Task::binary ? "stsa.binary" : "stsa.fine"; }

std::string excerpt(std::string_view text, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < limit; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > limit) out += "...";
  return out;
}

std::ifstream open_input(const std::string& path, std::string_view what) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (error || !std::filesystem::exists(status)) {
    fail<FileError>("cannot read {} '{}': no such file", what, path);
  }
  if (!std::filesystem::is_regular_file(status)) {
    fail<FileError>("cannot read {} '{}': not a regular file", what, path);
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) fail<FileError>("cannot read {} '{}'", what, path);
  return file;
}

std::vector<Example> read_examples(const std::string& path, Task task) {
  std::ifstream file = open_input(path, "data file");
  return read_examples(file, task, path);
}

std::vector<Example> read_examples(std::istream& file, Task task, const std::string& path) {
  const int file_classes = task == Task::binary ? 2 : 5;
  std::vector<Example> out;
  std::string line;
  for (int number = 1; std::getline(file, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::istringstream words(line);
    std::string label_text, token;
    words >> label_text;
    Example e{-1, {}};
    if (label_text.size() == 1 && std::isdigit(static_cast<unsigned char>(label_text[0]))) {
      e.label = label_text[0] - '0';
    }
    if (e.label < 0 || e.label >= file_classes) {
      fail<FileError>("{}:{}: label '{}' is not a class of this task (0-{}): \"{}\"", path, number,
                      excerpt(label_text, 20), file_classes - 1, excerpt(line));
    }
    if (task == Task::three) e.label = e.label <= 1 ? 0 : e.label == 2 ? 1 : 2;
    while (words >> token) e.tokens.push_back(token);
    if (e.tokens.empty()) {
      fail<FileError>("{}:{}: a label without a sentence: \"{}\"", path, number, excerpt(line));
    }
    out.push_back(std::move(e));
  }
  if (file.bad()) fail<FileError>("error reading '{}'", path);
  if (out.empty()) fail<FileError>("data file '{}' holds no examples", path);
  return out;
}

std::vector<std::string> tokenize(const std::string& text) {
  std::vector<std::string> tokens;
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    // Split clitics as the treebank does: "don't" → "do", "n't"; "it's" → "it", "'s".
    if (word.size() > 3 && word.compare(word.size() - 3, 3, "n't") == 0) {
      tokens.push_back(word.substr(0, word.size() - 3));
      tokens.push_back("n't");
    } else if (const auto q = word.find('\''); q != std::string::npos && q > 0) {
      tokens.push_back(word.substr(0, q));
      tokens.push_back(word.substr(q));
    } else {
      tokens.push_back(word);
    }
    word.clear();
  };
  for (unsigned char c : text) {
    if (std::isspace(c)) {
      flush();
    } else if (std::ispunct(c) && c != '\'' && c != '-') {
      flush();
      tokens.emplace_back(1, static_cast<char>(c));
    } else {
      word += static_cast<char>(std::tolower(c));  // bytes >= 128 (UTF-8) pass through
    }
  }
  flush();
  return tokens;
}

namespace {
std::vector<std::string> features(const std::vector<std::string>& tokens, bool bigrams) {
  std::vector<std::string> out = tokens;
  if (bigrams) {
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i)
      out.push_back(tokens[i] + "_" + tokens[i + 1]);
  }
  return out;
}
}  // namespace

Vocabulary Vocabulary::build(const std::vector<Example>& train, int min_count, bool bigrams) {
  std::map<std::string, int> counts;  // ordered: ids are the same on every run
  for (const Example& e : train) {
    for (const std::string& f : features(e.tokens, bigrams)) ++counts[f];
  }
  Vocabulary v;
  v.bigrams_ = bigrams;
  v.words_ = {"<pad>", "<unk>"};
  for (const auto& [word, count] : counts) {
    // A literal "<pad>" or "<unk>" in the text is an unknown word, not a special id.
    if (count >= min_count && word != "<pad>" && word != "<unk>") v.words_.push_back(word);
  }
  if (v.words_.size() == 2) {
    fail<ag::ValueError>("vocabulary: no feature occurs {} times in the training data", min_count);
  }
  for (std::size_t i = kUnknown + 1; i < v.words_.size(); ++i)
    v.ids_[v.words_[i]] = static_cast<std::int64_t>(i);
  return v;
}

std::vector<std::int64_t> Vocabulary::encode(const std::vector<std::string>& tokens) const {
  std::vector<std::int64_t> ids;
  for (const std::string& f : features(tokens, bigrams_)) {
    const auto it = ids_.find(f);
    ids.push_back(it == ids_.end() ? kUnknown : it->second);
  }
  if (ids.empty()) ids.push_back(kUnknown);
  return ids;
}

void Vocabulary::save(const std::string& path) const {
  std::ofstream file(path);
  file << "autograd-sentiment-vocabulary 1 " << (bigrams_ ? "bigrams" : "unigrams") << '\n';
  for (const std::string& w : words_) file << w << '\n';
  if (!file) fail<FileError>("cannot write vocabulary '{}'", path);
}

Vocabulary Vocabulary::load(const std::string& path) {
  std::ifstream file = open_input(path, "vocabulary");
  return load(file, path);
}

Vocabulary Vocabulary::load(std::istream& file, const std::string& path) {
  std::string header;
  std::getline(file, header);
  if (header.rfind("autograd-sentiment-vocabulary 1 ", 0) != 0) {
    fail<FileError>("'{}' is not a vocabulary file (header \"{}\")", path, excerpt(header));
  }
  Vocabulary v;
  v.bigrams_ = header.ends_with("bigrams");
  for (std::string w; std::getline(file, w);) {
    if (v.words_.size() > kUnknown) v.ids_.emplace(w, static_cast<std::int64_t>(v.words_.size()));
    v.words_.push_back(w);
  }
  if (v.words_.size() < 3 || v.words_[0] != "<pad>" || v.words_[1] != "<unk>") {
    fail<FileError>("vocabulary '{}' is empty or damaged", path);
  }
  return v;
}

std::uint64_t Vocabulary::fingerprint() const {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const std::string& w : words_) {
    for (unsigned char c : w) h = (h ^ c) * 0x100000001b3ULL;
    h = (h ^ 0xff) * 0x100000001b3ULL;
  }
  return h;
}

}  // namespace sentiment

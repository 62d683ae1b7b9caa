// SPDX-License-Identifier: MIT
// SST sentence files, a tokenizer for raw text, and the vocabulary of
// unigram and bigram features.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace sentiment {

/// binary: stsa.binary.* (0 negative, 1 positive); fine: stsa.fine.* (5
/// classes); three: the fine files mapped {0,1} → negative, {2} → neutral,
/// {3,4} → positive.
enum class Task { binary, fine, three };
Task parse_task(const std::string& name);
std::vector<std::string> class_names(Task task);
/// The file prefix a task reads: "stsa.binary" or "stsa.fine".
std::string file_prefix(Task task);

struct Example {
  int label;
  std::vector<std::string> tokens;
};

/// Reads `LABEL token token ...` lines. Throws ag::FileError naming the file,
/// the line number and its content for a missing/unreadable file, a
/// malformed line or a label outside the task's classes.
std::vector<Example> read_examples(const std::string& path, Task task);
/// The same from a stream; `path` only names it in errors.
std::vector<Example> read_examples(std::istream& in, Task task, const std::string& path);

/// Lower-cases and splits raw text on whitespace and punctuation, keeping
/// punctuation marks and the "n't"/"'s" pieces as tokens, as the SST files do.
std::vector<std::string> tokenize(const std::string& text);

/// Feature ids: 0 is padding, 1 unknown; then every unigram and bigram
/// ("not_good") seen at least `min_count` times in the training split.
class Vocabulary {
 public:
  static constexpr std::int64_t kPad = 0, kUnknown = 1;
  Vocabulary() = default;
  static Vocabulary build(const std::vector<Example>& train, int min_count, bool bigrams);
  std::int64_t size() const { return static_cast<std::int64_t>(words_.size()); }
  bool bigrams() const { return bigrams_; }
  /// The feature ids of a token sequence (unknown features map to kUnknown).
  std::vector<std::int64_t> encode(const std::vector<std::string>& tokens) const;
  /// One feature per line, after a header line; ag::FileError on a bad file.
  void save(const std::string& path) const;
  static Vocabulary load(const std::string& path);
  static Vocabulary load(std::istream& in, const std::string& path);
  /// A fingerprint stored in checkpoints, to refuse another vocabulary's model.
  std::uint64_t fingerprint() const;

 private:
  std::vector<std::string> words_;
  std::unordered_map<std::string, std::int64_t> ids_;
  bool bigrams_ = true;
};

}  // namespace sentiment

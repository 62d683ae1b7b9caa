// SPDX-License-Identifier: MIT
// P7 and P8's data, shared by bench/workloads.cpp and its LibTorch twin:
// the first 32 sentences of SST's binary training split, padded to the
// longest of them, with their lengths. Word ids number the batch's own
// words in order of first appearance (0 is padding): the embedding table
// holds only what the batch reads, so its dense Adam update stays small
// and the steps measure the sequence model.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

namespace bench {

struct SstBatch {
  std::int64_t vocabulary = 1, rows = 0, longest = 0;
  std::vector<std::int64_t> ids;      // rows x longest, row-major, 0-padded
  std::vector<std::int64_t> lengths;  // per row
  std::vector<std::int64_t> labels;   // 0 or 1
};

/// Reads `path` (AG_DEFAULT_DATA_DIR/stsa.binary.train); exits with a
/// message if it cannot.
inline SstBatch sst_batch(const std::string& path, std::int64_t rows = 32) {
  std::ifstream file(path);
  if (!file) {
    std::fprintf(stderr, "cannot read %s (P7 and P8 need the SST files)\n", path.c_str());
    std::exit(1);
  }
  SstBatch batch;
  std::unordered_map<std::string, std::int64_t> vocabulary;
  std::vector<std::vector<std::int64_t>> sentences;
  std::string line;
  while (static_cast<std::int64_t>(sentences.size()) < rows && std::getline(file, line)) {
    std::istringstream words(line);
    std::int64_t label = 0;
    words >> label;
    std::vector<std::int64_t> ids;
    for (std::string w; words >> w;) {
      const auto [it, fresh] = vocabulary.emplace(w, batch.vocabulary);
      if (fresh) ++batch.vocabulary;
      ids.push_back(it->second);
    }
    if (!ids.empty()) {
      sentences.push_back(ids);
      batch.labels.push_back(label);
      batch.longest = std::max<std::int64_t>(batch.longest, static_cast<std::int64_t>(ids.size()));
    }
  }
  batch.rows = static_cast<std::int64_t>(sentences.size());
  batch.ids.assign(static_cast<std::size_t>(batch.rows * batch.longest), 0);
  for (std::size_t r = 0; r < sentences.size(); ++r) {
    std::copy(sentences[r].begin(), sentences[r].end(),
              batch.ids.begin() + static_cast<std::ptrdiff_t>(r * batch.longest));
    batch.lengths.push_back(static_cast<std::int64_t>(sentences[r].size()));
  }
  return batch;
}

}  // namespace bench

// SPDX-License-Identifier: MIT
// The command line of `sentiment`: its flags and their defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sentiment {

struct Options {
  std::string data;  // default: AG_DEFAULT_DATA_DIR
  std::string task = "binary", features = "nb", optimizer, activation = "tanh";
  std::string schedule = "cosine", name, runs = "runs";
  double lr = 0.001, dropout = 0.5;
  int epochs = 12, batch = 32, patience = 3, min_count = 2, threads = 0;
  std::int64_t dim = 64, hidden = 64;
  bool bigrams = true, quiet = false;
  std::uint64_t seed = 1;
  std::optional<std::string> predict, eval;
};

/// The options from argv; ag::ValueError naming the flag for a bad one.
/// --help prints the usage and exits.
Options parse_options(int argc, char** argv);

}  // namespace sentiment

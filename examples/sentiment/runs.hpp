// SPDX-License-Identifier: MIT
// A saved run (config.txt, vocab.txt, model.bin) and evaluation on a split.
#pragma once

#include <filesystem>
#include <memory>

#include "dataset.hpp"
#include "metrics.hpp"
#include "model.hpp"
#include "options.hpp"

namespace sentiment {

struct Run {
  Task task;
  Vocabulary vocab;
  std::unique_ptr<Classifier> model;
};

/// Writes `dir`/config.txt: what load_run needs to rebuild the model.
void save_config(const std::filesystem::path& dir, const Options& o, const ModelConfig& c,
                 const Vocabulary& v);
/// Reads a run saved by training; ag::FileError naming what is missing or wrong.
Run load_run(const std::filesystem::path& dir);

/// Every sentence's feature ids.
std::vector<std::vector<std::int64_t>> encode_all(const Vocabulary& v,
                                                  const std::vector<Example>& data);
/// The confusion matrix of `model` on encoded sentences (in eval mode, no
/// graph); the mean cross-entropy in *loss when given.
Confusion evaluate(Classifier& model, const std::vector<std::vector<std::int64_t>>& ids,
                   const std::vector<Example>& data, std::size_t classes, double* loss = nullptr);

}  // namespace sentiment

// SPDX-License-Identifier: MIT
// Classification metrics: accuracy, per-class precision/recall/F1, and the
// confusion matrix, printed as aligned tables.
#pragma once

#include <string>
#include <vector>

namespace sentiment {

class Confusion {
 public:
  explicit Confusion(std::size_t classes) : counts_(classes, std::vector<long>(classes, 0)) {}
  void add(int truth, int predicted) { ++counts_.at(truth).at(predicted); }
  double accuracy() const;
  double precision(std::size_t c) const;
  double recall(std::size_t c) const;
  double f1(std::size_t c) const;
  double macro_f1() const;
  /// Per-class precision/recall/F1/support, then the matrix (rows: truth).
  std::string report(const std::vector<std::string>& names) const;

 private:
  std::vector<std::vector<long>> counts_;
};

}  // namespace sentiment

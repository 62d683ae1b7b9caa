// SPDX-License-Identifier: MIT
#include "metrics.hpp"

#include <fmt/format.h>

namespace sentiment {

double Confusion::accuracy() const {
  long right = 0, total = 0;
  for (std::size_t t = 0; t < counts_.size(); ++t) {
    for (std::size_t p = 0; p < counts_.size(); ++p) {
      total += counts_[t][p];
      if (t == p) right += counts_[t][p];
    }
  }
  return total ? static_cast<double>(right) / total : 0.0;
}

double Confusion::precision(std::size_t c) const {
  long predicted = 0;
  for (const auto& row : counts_) predicted += row[c];
  return predicted ? static_cast<double>(counts_[c][c]) / predicted : 0.0;
}

double Confusion::recall(std::size_t c) const {
  long actual = 0;
  for (long n : counts_[c]) actual += n;
  return actual ? static_cast<double>(counts_[c][c]) / actual : 0.0;
}

double Confusion::f1(std::size_t c) const {
  const double p = precision(c), r = recall(c);
  return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

double Confusion::macro_f1() const {
  double total = 0;
  for (std::size_t c = 0; c < counts_.size(); ++c) total += f1(c);
  return total / static_cast<double>(counts_.size());
}

std::string Confusion::report(const std::vector<std::string>& names) const {
  std::string out = fmt::format("{:<15} {:>9} {:>9} {:>9} {:>9}\n", "class", "precision", "recall",
                                "f1", "support");
  for (std::size_t c = 0; c < counts_.size(); ++c) {
    long support = 0;
    for (long n : counts_[c]) support += n;
    out += fmt::format("{:<15} {:>9.3f} {:>9.3f} {:>9.3f} {:>9}\n", names[c], precision(c),
                       recall(c), f1(c), support);
  }
  out += fmt::format("{:<15} {:>9} {:>9} {:>9.3f}\n\n", "macro avg", "", "", macro_f1());
  out += fmt::format("{:<15}", "truth \\ predicted");
  for (const auto& name : names) out += fmt::format(" {:>13}", name);
  out += '\n';
  for (std::size_t t = 0; t < counts_.size(); ++t) {
    out += fmt::format("{:<17}", names[t]);
    for (long n : counts_[t]) out += fmt::format(" {:>13}", n);
    out += '\n';
  }
  return out;
}

}  // namespace sentiment

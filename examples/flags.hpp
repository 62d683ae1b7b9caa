// SPDX-License-Identifier: MIT
// Command-line flags for the examples, checked as the sentiment example's
// are: whole numbers must be whole and in range ("--epochs 2.7" and
// "--epochs abc" are errors, not 2 and a crash), real numbers finite and in
// range, every flag known, every value present. A bad flag prints one line
// naming it and exits with status 2.
//
//     examples::Flags flags(argc, argv, "char_lm");
//     const std::int64_t steps = flags.count("--steps", 600, 1);
//     flags.done();  // unknown flags are errors
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace examples {

class Flags {
 public:
  Flags(int argc, char** argv, std::string program) : program_(std::move(program)) {
    for (int k = 1; k < argc; ++k) {
      const std::string flag = argv[k];
      if (flag.rfind("--", 0) != 0) error("'" + flag + "' is not a flag (flags start with --)");
      if (k + 1 >= argc) error(flag + ": missing value");
      given_[flag] = argv[++k];
    }
  }
  /// A text flag's value, or `fallback`.
  std::string text(const std::string& flag, const std::string& fallback) {
    return take(flag).value_or(fallback);
  }
  /// A whole number in [low, high], or `fallback`.
  std::int64_t count(const std::string& flag, std::int64_t fallback, std::int64_t low,
                     std::int64_t high = std::numeric_limits<std::int64_t>::max() / 2) {
    const auto v = take(flag);
    if (!v) return fallback;
    std::int64_t n = 0;
    const auto [end, status] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (status != std::errc() || end != v->data() + v->size() || n < low || n > high) {
      error(flag + ": '" + *v + "' is not a whole number in [" + std::to_string(low) + ", " +
            std::to_string(high) + "]");
    }
    return n;
  }
  /// A finite number >= low (and < high), or `fallback`.
  double number(const std::string& flag, double fallback, double low,
                double high = std::numeric_limits<double>::max()) {
    const auto v = take(flag);
    if (!v) return fallback;
    char* end = nullptr;
    const double x = std::strtod(v->c_str(), &end);
    if (v->empty() || *end || !std::isfinite(x) || !(x >= low && x < high)) {
      const std::string range = high == std::numeric_limits<double>::max()
                                    ? ">= " + shortest(low)
                                    : "in [" + shortest(low) + ", " + shortest(high) + ")";
      error(flag + ": '" + *v + "' is not a finite number " + range);
    }
    return x;
  }
  /// After every flag was asked for: an unknown one is an error.
  void done() {
    if (!given_.empty()) error("unknown flag '" + given_.begin()->first + "'");
  }
  /// Prints "program: what" and exits with status 2 (a usage error).
  [[noreturn]] void error(const std::string& what) const {
    std::fprintf(stderr, "%s: %s\n", program_.c_str(), what.c_str());
    std::exit(2);
  }

 private:
  static std::string shortest(double x) {  // 0.5, 1e-08: as a user would write it
    char text[32];
    std::snprintf(text, sizeof text, "%g", x);
    return text;
  }
  std::optional<std::string> take(const std::string& flag) {
    const auto it = given_.find(flag);
    if (it == given_.end()) return std::nullopt;
    std::string v = it->second;
    given_.erase(it);
    return v;
  }
  std::string program_;
  std::map<std::string, std::string> given_;
};

}  // namespace examples

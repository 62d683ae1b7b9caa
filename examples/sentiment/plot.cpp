// SPDX-License-Identifier: MIT
#include "plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

#include "autograd/error.hpp"
#include "errors.hpp"

namespace sentiment {
namespace {

struct Series {
  std::string name, colour;
  std::vector<double> values;
};

// One panel at x offset `left`: axes, ticks, and a polyline per series.
std::string panel(double left, const std::string& label, const std::vector<int>& epochs,
                  const std::vector<Series>& series) {
  constexpr double kW = 360, kH = 240, kTop = 40;
  double lo = 1e300, hi = -1e300;
  for (const auto& s : series) {
    for (double v : s.values) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  if (hi - lo < 1e-9) hi = lo + 1;
  const double pad = (hi - lo) * 0.08;
  lo -= pad;
  hi += pad;
  const int last = epochs.empty() ? 1 : std::max(epochs.back(), 2);
  auto x = [&](double e) { return left + 50 + (e - 1) / (last - 1) * (kW - 70); };
  auto y = [&](double v) { return kTop + (hi - v) / (hi - lo) * kH; };
  std::string out = fmt::format(R"(<text x="{}" y="{}" font-size="14">{}</text>)"
                                R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="black"/>)"
                                R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="black"/>)",
                                left + 50, kTop - 12, label, x(1), y(lo), x(last), y(lo), x(1),
                                y(lo), x(1), y(hi));
  for (int k = 0; k <= 4; ++k) {
    const double v = lo + (hi - lo) * k / 4;
    out += fmt::format(R"(<text x="{}" y="{}" font-size="10" text-anchor="end">{:.3f}</text>)",
                       x(1) - 4, y(v) + 3, v);
  }
  for (int e = 1; e <= last; ++e) {
    out += fmt::format(R"(<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>)", x(e),
                       y(lo) + 14, e);
  }
  out += fmt::format(R"(<text x="{}" y="{}" font-size="11" text-anchor="middle">epoch</text>)",
                     x((1 + last) / 2.0), y(lo) + 30);
  for (std::size_t s = 0; s < series.size(); ++s) {
    std::string points;
    for (std::size_t i = 0; i < epochs.size(); ++i) {
      points += fmt::format("{:.1f},{:.1f} ", x(epochs[i]), y(series[s].values[i]));
    }
    out += fmt::format(R"(<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>)",
                       series[s].colour, points);
    out += fmt::format(R"(<text x="{}" y="{}" font-size="11" fill="{}">{}</text>)", left + 250,
                       kTop + 14 + 14 * s, series[s].colour, series[s].name);
  }
  return out;
}

}  // namespace

void write_curve_svg(const std::string& path, const std::vector<EpochPoint>& points,
                     const std::string& title) {
  std::vector<int> epochs;
  Series train{"train loss", "#2563eb", {}}, dev{"dev loss", "#dc2626", {}},
      accuracy{"dev accuracy", "#059669", {}};
  for (const auto& p : points) {
    epochs.push_back(p.epoch);
    train.values.push_back(p.train_loss);
    dev.values.push_back(p.dev_loss);
    accuracy.values.push_back(p.dev_accuracy);
  }
  std::ofstream file(path);
  file
      << R"(<svg xmlns="http://www.w3.org/2000/svg" width="760" height="330" font-family="Helvetica">)"
      << R"(<rect width="100%" height="100%" fill="white"/>)"
      << fmt::format(R"(<text x="20" y="18" font-size="13">sentiment ({}): training curve</text>)",
                     title)
      << panel(0, "cross-entropy loss", epochs, {train, dev})
      << panel(380, "dev accuracy", epochs, {accuracy}) << "</svg>\n";
  if (!file) fail<ag::FileError>("cannot write the plot '{}'", path);
}

}  // namespace sentiment

// SPDX-License-Identifier: MIT
// A small SVG line chart of a training run: losses and dev accuracy per epoch.
#pragma once

#include <string>
#include <vector>

namespace sentiment {

struct EpochPoint {
  int epoch;
  double train_loss, dev_loss, dev_accuracy;
};

/// Two panels (loss; accuracy) with axes and labels; ag::FileError if the
/// file cannot be written.
void write_curve_svg(const std::string& path, const std::vector<EpochPoint>& points,
                     const std::string& title);

}  // namespace sentiment

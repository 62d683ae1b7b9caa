// SPDX-License-Identifier: MIT
// Accurate sums for the reductions (ops/reduce.cpp): every addition is done
// in double, and long runs are summed pairwise or in blocks, so a float32
// sum of 10^7 elements is as exact as its float32 result can be (a naive
// float loop was 1 % off at 10^6). The loops stay vectorisable: independent
// lanes along a row, whole rows added at a time along a column. Internal.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "autograd/ops/kernels.hpp"
#include "autograd/parallel.hpp"

namespace ag::detail {

/// Σ p[0..n) in double: blocks of up to 128 with 8 independent lanes (a
/// vector's worth), halves added pairwise: the error grows with log n.
template <class T>
double pairwise_sum(const T* p, std::int64_t n) {
  if (n <= 128) {
    double lane[8] = {};
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
      for (int k = 0; k < 8; ++k) lane[k] += static_cast<double>(p[i + k]);
    }
    double rest = 0;
    for (; i < n; ++i) rest += static_cast<double>(p[i]);
    return ((lane[0] + lane[1]) + (lane[2] + lane[3])) +
           ((lane[4] + lane[5]) + (lane[6] + lane[7])) + rest;
  }
  const std::int64_t half = (n / 2) & ~std::int64_t{7};
  return pairwise_sum(p, half) + pairwise_sum(p + half, n - half);
}

/// out[o][i] = Σ_r in[o][r][i] for x viewed as (outer, rows, inner): each
/// row is added to a double accumulator at once (vectorised along i), in
/// blocks of 128 rows whose partial sums are then added, so the error grows
/// with rows / 128 + 128, not rows.
template <class T>
void sum_rows(const T* in, std::int64_t outer, std::int64_t rows, std::int64_t inner, T* out) {
  constexpr std::int64_t kBlock = 128;
  // Split by columns over the library's threads: each column is still summed
  // in the same order, so the bits do not depend on the split.
  const std::int64_t grain = kParallelGrain / std::max<std::int64_t>(outer * rows, 1);
  parallel_for(inner, grain, [&](std::int64_t first, std::int64_t end) {
    const std::int64_t width = end - first;
    std::vector<double> total(static_cast<std::size_t>(width)), block(total.size());
    for (std::int64_t o = 0; o < outer; ++o) {
      std::fill(total.begin(), total.end(), 0.0);
      for (std::int64_t r0 = 0; r0 < rows; r0 += kBlock) {
        std::fill(block.begin(), block.end(), 0.0);
        for (std::int64_t r = r0; r < std::min(rows, r0 + kBlock); ++r) {
          const T* row = in + (o * rows + r) * inner + first;
          double* b = block.data();
          for (std::int64_t i = 0; i < width; ++i) b[i] += static_cast<double>(row[i]);
        }
        for (std::int64_t i = 0; i < width; ++i) total[i] += block[i];
      }
      for (std::int64_t i = 0; i < width; ++i)
        out[o * inner + first + i] = static_cast<T>(total[i]);
    }
  });
}

/// Sums `in` (of `shape`) over `dims` (sorted, normalised) into `out`, laid
/// out as the kept dims in order. Adjacent dims that are both kept or both
/// reduced merge; the shapes a reduction usually has (all, rows, columns, a
/// middle dim) take the kernels above, any other pattern a double
/// accumulator per output element.
template <class T>
void sum_dims(const T* in, const Shape& shape, const std::vector<int>& dims, T* out) {
  struct Group {
    std::int64_t size;
    bool reduced;
  };
  std::vector<Group> groups;
  std::int64_t count = 1, kept = 1;
  for (std::size_t k = 0; k < shape.size(); ++k) {
    const bool reduced = std::find(dims.begin(), dims.end(), static_cast<int>(k)) != dims.end();
    count *= shape[k];
    if (!reduced) kept *= shape[k];
    if (shape[k] == 1) continue;
    if (!groups.empty() && groups.back().reduced == reduced) {
      groups.back().size *= shape[k];
    } else {
      groups.push_back({shape[k], reduced});
    }
  }
  if (count == 0) {
    std::fill_n(out, kept, T{0});
    return;
  }
  if (groups.empty() || (groups.size() == 1 && !groups[0].reduced)) {
    std::copy_n(in, count, out);                             // nothing to add up
  } else if (groups.size() <= 2 && groups.back().reduced) {  // [kept] reduced: row sums
    const std::int64_t rows = groups.back().size;
    for (std::int64_t o = 0; o < count / rows; ++o)
      out[o] = static_cast<T>(pairwise_sum(in + o * rows, rows));
  } else if ((groups.size() == 2 && groups[0].reduced) ||
             (groups.size() == 3 && !groups[0].reduced)) {  // [kept] reduced kept: columns
    const std::size_t r = groups[0].reduced ? 0 : 1;
    sum_rows(in, r == 0 ? 1 : groups[0].size, groups[r].size, groups[r + 1].size, out);
  } else {
    std::vector<double> acc(static_cast<std::size_t>(kept), 0.0);
    for_each_reduced(shape, dims,
                     [&](std::int64_t o, std::int64_t i) { acc[o] += static_cast<double>(in[i]); });
    for (std::int64_t o = 0; o < kept; ++o) out[o] = static_cast<T>(acc[o]);
  }
}

}  // namespace ag::detail

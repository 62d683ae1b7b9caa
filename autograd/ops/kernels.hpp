// SPDX-License-Identifier: MIT
// Loops shared by the op files: elementwise maps with broadcasting, and
// reductions over a set of dims. Contiguous fast paths first; the general
// case walks a multi-index. Internal; not installed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "autograd/shape.hpp"

namespace ag::detail {

/// The product of shape[from..to).
inline std::int64_t product(const Shape& shape, std::size_t from, std::size_t to) {
  std::int64_t n = 1;
  for (std::size_t k = from; k < to; ++k) n *= shape[k];
  return n;
}

/// A contiguous tensor viewed as (outer, size along `dim`, inner): element
/// (a, k, i) is at (a·size + k)·inner + i.
struct Lanes {
  std::int64_t outer, size, inner;
};
inline Lanes lanes(const Shape& shape, std::size_t dim) {
  return {product(shape, 0, dim), shape[dim], product(shape, dim + 1, shape.size())};
}

/// Strides (in elements) of a contiguous tensor of shape `in` viewed as
/// `out` under broadcasting: 0 where `in` is 1 (or absent) and `out` is not.
inline Shape broadcast_strides(const Shape& in, const Shape& out) {
  Shape strides(out.size(), 0);
  const Shape own = contiguous_strides(in);
  const std::size_t offset = out.size() - in.size();
  for (std::size_t k = 0; k < in.size(); ++k) {
    strides[offset + k] = in[k] == 1 && out[offset + k] != 1 ? 0 : own[k];
  }
  return strides;
}

/// Calls f(out_flat, a_flat, b_flat) for every element of `out`, with the
/// flat offsets of the broadcast operands. The innermost dim is a plain loop.
template <class F>
void for_each_broadcast(const Shape& a, const Shape& b, const Shape& out, F&& f) {
  std::int64_t n = 1;
  for (std::int64_t size : out) n *= size;
  if (n == 0) return;
  if (out.empty()) {
    f(0, 0, 0);
    return;
  }
  const Shape sa = broadcast_strides(a, out), sb = broadcast_strides(b, out);
  const std::size_t rank = out.size();
  const std::int64_t inner = out[rank - 1], ia = sa[rank - 1], ib = sb[rank - 1];
  std::vector<std::int64_t> index(rank, 0);
  std::int64_t oa = 0, ob = 0;
  for (std::int64_t o = 0; o < n; o += inner) {
    for (std::int64_t k = 0; k < inner; ++k) f(o + k, oa + k * ia, ob + k * ib);
    // advance the outer multi-index
    for (std::size_t d = rank - 1; d-- > 0;) {
      oa += sa[d];
      ob += sb[d];
      if (++index[d] < out[d]) break;
      oa -= sa[d] * out[d];
      ob -= sb[d] * out[d];
      index[d] = 0;
    }
  }
}

/// out = f(a, b) elementwise with broadcasting.
template <class In, class Out, class F>
void binary_map(const In* a, const Shape& as, const In* b, const Shape& bs, Out* out,
                const Shape& os, F f) {
  if (as == os && bs == os) {
    std::int64_t n = 1;
    for (std::int64_t size : os) n *= size;
    for (std::int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
    return;
  }
  for_each_broadcast(
      as, bs, os, [&](std::int64_t o, std::int64_t i, std::int64_t j) { out[o] = f(a[i], b[j]); });
}

/// Shape after reducing `dims` (sorted, unique, normalised).
inline Shape reduced_shape(const Shape& in, const std::vector<int>& dims, bool keepdim) {
  Shape out;
  for (std::size_t k = 0; k < in.size(); ++k) {
    const bool reduced = std::find(dims.begin(), dims.end(), static_cast<int>(k)) != dims.end();
    if (!reduced) {
      out.push_back(in[k]);
    } else if (keepdim) {
      out.push_back(1);
    }
  }
  return out;
}

/// For every input element, calls f(out_flat, in_flat), where out_flat is
/// the element's position after reducing `dims` (with keepdim layout).
template <class F>
void for_each_reduced(const Shape& in, const std::vector<int>& dims, F&& f) {
  Shape kept = in;
  for (int d : dims) kept[d] = 1;
  for_each_broadcast(kept, kept, in,
                     [&](std::int64_t i, std::int64_t o, std::int64_t) { f(o, i); });
}

}  // namespace ag::detail

// SPDX-License-Identifier: MIT
// Per-node cost of Scalar graphs: forward + backward + teardown of the deep
// chain x = x * 1.0000001 + 1e-7 (the performance issue's P6 workload),
// in ns per node and bytes per node, beside a plain-double baseline that
// computes the same value and derivative by hand in the same run.
#include <fmt/format.h>
#include <malloc.h>

#include <cmath>
#include <cstdlib>

#include "autograd/autograd.hpp"
#include "autograd/node_pool.hpp"
#include "bench_util.hpp"

namespace {

constexpr double kScale = 1.0000001, kShift = 1e-7;

// Bytes held for nodes: the C heap plus the node pool's chunks.
std::size_t node_bytes() {
  return mallinfo2().uordblks +
         ag::detail::node_pool_chunks_in_use() * ag::detail::PoolChunk::kBytes;
}

double chain_grad(int steps, std::size_t* peak_bytes) {
  const std::size_t before = node_bytes();
  ag::Scalar x = 1.0;
  {
    ag::Scalar y = x;
    for (int i = 0; i < steps; ++i) y = y * kScale + kShift;
    if (peak_bytes) *peak_bytes = node_bytes() - before;
    y.backward();
  }
  return x.grad();
}

// The same chain without a graph: value forward, derivative by hand.
double closed_form_grad(int steps) {
  volatile double scale = kScale;  // keep the loop from being folded away
  double y = 1.0, dy = 1.0;
  for (int i = 0; i < steps; ++i) {
    y = y * scale + kShift;
    dy *= scale;
  }
  return dy + y * 0.0;
}

}  // namespace

int main(int argc, char** argv) {
  const int steps = argc > 1 ? std::atoi(argv[1]) : 1'000'000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 7;
  const double nodes = 2.0 * steps;  // a mul and an add per step
  std::size_t bytes = 0;
  const double grad = chain_grad(steps, &bytes);
  const double expected = std::pow(kScale, steps);
  double sink = 0;
  const auto ours = bench::time_runs(rounds, [&] { sink += chain_grad(steps, nullptr); });
  const auto base = bench::time_runs(rounds, [&] { sink += closed_form_grad(steps); });
  fmt::print("scalar chain: {} steps = {} nodes, median of {} runs (min-max)\n", steps, nodes,
             rounds);
  fmt::print("  autograd forward+backward+free: {:7.2f} ns/node ({:.2f}-{:.2f}), {:.3f} s total\n",
             ours.median / nodes * 1e9, ours.min / nodes * 1e9, ours.max / nodes * 1e9,
             ours.median);
  fmt::print("  closed-form baseline:           {:7.2f} ns/step ({:.2f}-{:.2f})\n",
             base.median / steps * 1e9, base.min / steps * 1e9, base.max / steps * 1e9);
  fmt::print("  ratio autograd/baseline (per step): {:.1f}x\n", ours.median / base.median);
  fmt::print(
      "  heap per node (node + allocator overhead): {:.1f} bytes; a node {} bytes, {} for x + c\n",
      static_cast<double>(bytes) / nodes, sizeof(ag::detail::ScalarNodeWithValue),
      sizeof(ag::detail::ScalarNode));
  fmt::print("  gradient {:.12f}, expected 1.0000001^{} = {:.12f}, relative error {:.1e}\n", grad,
             steps, expected, std::fabs(grad - expected) / expected);
  return sink == 0 ? 1 : 0;
}

// SPDX-License-Identifier: MIT
// Long runs: a 10-million-op scalar graph, and 10,000 training steps whose
// resident memory must not grow. Built only without sanitizers (whose
// allocators change both numbers).
#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <fstream>

#include "autograd/nn/nn.hpp"
#include "node_memory.hpp"

namespace {

// Resident set size in bytes, from /proc/self/statm.
std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return pages_resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace

TEST_CASE("10 million scalar ops: forward, backward, freed, on the default stack") {
  const std::size_t before = node_memory();
  ag::Scalar x = 1.0;
  std::size_t peak = 0;
  {
    ag::Scalar y = x;
    for (int i = 0; i < 5'000'000; ++i) y = y * 1.0000001 + 1e-7;  // 2 ops per step
    peak = node_memory() - before;
    y.backward();
  }
  const double bytes_per_op = static_cast<double>(peak) / 10'000'000;
  MESSAGE("bytes per op: " << bytes_per_op);
  CHECK(bytes_per_op < 64);
  CHECK(x.grad() == doctest::Approx(std::pow(1.0000001, 5'000'000)).epsilon(1e-10));
  ag::release_cached_buffers();               // empty slabs kept for the next graph
  CHECK(node_memory() < before + 64 * 1024);  // all of it returned
}

TEST_CASE("10,000 training steps leave resident memory where it was") {
  ag::manual_seed(2);
  auto net = ag::nn::MLP({8, 32, 32, 4}, "relu");
  ag::optim::Adam opt(net->parameters(), {.lr = 1e-3});
  const ag::Tensor x = ag::randn({16, 8}, ag::default_generator());
  const ag::Tensor y = ag::index_tensor({0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3});
  auto step = [&] {
    opt.zero_grad();
    ag::nn::cross_entropy((*net)(x), y).backward();
    opt.step();
  };
  for (int i = 0; i < 200; ++i) step();  // warm up: optimizer state, allocator pools
  malloc_trim(0);
  const std::size_t baseline = resident_bytes();
  for (int i = 0; i < 10'000; ++i) step();
  malloc_trim(0);
  const std::size_t after = resident_bytes();
  MESSAGE("resident memory: " << baseline / 1024 << " KiB before, " << after / 1024
                              << " KiB after 10,000 steps");
  CHECK(after <= baseline + 256 * 1024);
}

// SPDX-License-Identifier: MIT
// libFuzzer target: the checkpoint loader on arbitrary bytes. Each input is
// tried twice: as a whole file (so the magic, version and checksum checks are
// exercised) and with a valid checksum appended (so the fuzzer gets past the
// checksum into the entries). Either a clean FileError or a valid result;
// a failed load_checkpoint must leave the model and optimizer untouched.
// Huge allocations are caught by running with -malloc_limit_mb.
#include <unistd.h>

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "autograd/nn/nn.hpp"

namespace {

std::uint64_t fnv1a(const std::string& bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

[[noreturn]] void violated(const char* what) {
  fmt::print(stderr, "checkpoint_fuzz: invariant violated: {}\n", what);
  std::abort();
}

// Bit patterns, so that a NaN compares equal to itself.
std::vector<std::uint64_t> bits_of(const ag::optim::StateDict& entries) {
  std::vector<std::uint64_t> out;
  for (const auto& [name, t] : entries)
    for (double v : t.to_vector()) out.push_back(std::bit_cast<std::uint64_t>(v));
  return out;
}

// A model and optimizer matching the seed corpus (tests/fuzz/corpus/checkpoint),
// fresh for every input so that a crash reproduces from its input alone.
struct Target {
  ag::Generator gen{7};
  ag::nn::Linear model{3, 2, true, ag::DType::float32, gen};
  ag::optim::Adam optimizer{model.parameters()};
  std::string path = fmt::format("/tmp/checkpoint_fuzz.{}.bin", getpid());
};

void try_load(Target& target, const std::string& bytes) {
  ag::optim::StateDict entries;
  try {
    entries = ag::io::parse_tensors(bytes, "fuzz");
  } catch (const ag::FileError&) {
    return;
  }
  for (const auto& [name, t] : entries) {
    if (static_cast<std::size_t>(t.numel()) * ag::dtype_size(t.dtype()) > bytes.size())
      violated("an entry holds more data than the input");
    (void)t.to_vector();
  }
  // A parsed file: load it into the model through the public path.
  {
    std::FILE* f = std::fopen(target.path.c_str(), "wb");
    if (!f) return;
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  }
  const auto model_before = bits_of(target.model.named_parameters());
  const auto optim_before = bits_of(target.optimizer.state_dict());
  try {
    ag::io::load_checkpoint(target.path, target.model, &target.optimizer);
    // A model and optimizer that loaded must train: one step, no error.
    target.optimizer.zero_grad();
    ag::sum(target.model.forward(ag::ones({4, 3}))).backward();
    target.optimizer.step();
  } catch (const ag::FileError&) {
    if (bits_of(target.model.named_parameters()) != model_before ||
        bits_of(target.optimizer.state_dict()) != optim_before)
      violated("a failed load changed the model or the optimizer");
  }
  std::remove(target.path.c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Target target;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  try_load(target, bytes);
  const std::uint64_t hash = fnv1a(bytes);
  bytes.append(reinterpret_cast<const char*>(&hash), sizeof hash);
  try_load(target, bytes);
  return 0;
}

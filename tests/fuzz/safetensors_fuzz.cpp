// SPDX-License-Identifier: MIT
// libFuzzer target: the safetensors reader on arbitrary bytes, and loading
// what it returns into a module. Either a clean FileError or tensors whose
// sizes agree with their shapes; a failed load_state_dict must leave the
// module untouched; what loads must save and read back identically. Huge
// allocations are caught by running with -malloc_limit_mb.
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <unistd.h>

#include "autograd/nn/nn.hpp"

namespace {

[[noreturn]] void violated(const char* what) {
  fmt::print(stderr, "safetensors_fuzz: invariant violated: {}\n", what);
  std::abort();
}

std::vector<std::uint64_t> bits_of(const ag::nn::StateDict& entries) {
  std::vector<std::uint64_t> out;
  for (const auto& [name, t] : entries)
    for (double v : t.to_vector()) out.push_back(std::bit_cast<std::uint64_t>(v));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  ag::nn::StateDict tensors;
  try {
    tensors = ag::io::parse_safetensors(bytes, "fuzz");
    ag::io::safetensors_metadata(bytes, "fuzz");
  } catch (const ag::FileError&) {
    return 0;
  }
  for (const auto& [name, t] : tensors) {
    std::int64_t n = 1;
    for (std::int64_t d : t.shape()) n *= d;
    if (n != t.numel()) violated("numel disagrees with the shape");
  }
  // Into a module whose names the seeds use ("0.weight" (2, 3), "0.bias" (2)).
  ag::nn::Sequential model(ag::nn::Linear(3, 2, true, ag::DType::float32, ag::default_generator()));
  const auto before = bits_of(model.state_dict());
  try {
    model.load_state_dict(tensors, false);
  } catch (const ag::ValueError&) {
    if (bits_of(model.state_dict()) != before) violated("a failed load changed the module");
  }
  // What loaded writes and reads back the same, names, dtypes and values.
  std::string path = "/tmp/safetensors_fuzz_XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd < 0) return 0;
  ::close(fd);
  bool saved = false;
  try {
    ag::io::save_safetensors(tensors, path);
    saved = true;
  } catch (const ag::ValueError&) {  // a name the format reserves ("__metadata__" cannot occur)
  }
  if (saved) {
    const auto back = ag::io::load_safetensors(path);
    if (back.size() != tensors.size() || bits_of(back) != bits_of(tensors)) {
      violated("a saved file reads back differently");
    }
  }
  std::remove(path.c_str());
  return 0;
}

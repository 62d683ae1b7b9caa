// SPDX-License-Identifier: MIT
// Our side of the safetensors round trip with PyTorch (driven by
// safetensors_roundtrip.py): loads PyTorch's MLP weights and reproduces its
// outputs, then writes our own MLP's weights and outputs for PyTorch to check.
#include <cmath>
#include <cstdio>
#include <string>

#include "autograd/nn/nn.hpp"

using namespace ag;

namespace {
nn::Sequential mlp() { return nn::Sequential(nn::Linear(4, 16), nn::Tanh(), nn::Linear(16, 3)); }

Tensor named(const nn::NamedTensors& tensors, const std::string& name) {
  for (const auto& [key, t] : tensors)
    if (key == name) return t;
  detail::fail<ValueError>("no tensor '{}'", name);
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  try {
    // PyTorch -> us
    nn::Sequential theirs = mlp();
    theirs.load_state_dict(nn::load_safetensors(dir + "/torch_model.safetensors"));
    const nn::NamedTensors io = nn::load_safetensors(dir + "/torch_io.safetensors");
    const Tensor x = named(io, "x"), want = named(io, "y");
    const auto got = theirs(x).to_vector(), expected = want.to_vector();
    double worst = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
      worst = std::max(worst, std::fabs(got[i] - expected[i]) / (1 + std::fabs(expected[i])));
    }
    std::printf("PyTorch's weights here: %zu outputs, worst relative difference %.3g\n", got.size(),
                worst);
    if (!(worst <= 1e-6)) return 1;
    // us -> PyTorch
    manual_seed(7);
    nn::Sequential ours = mlp();
    nn::save_safetensors(ours.state_dict(), dir + "/ours_model.safetensors", {{"format", "pt"}});
    nn::save_safetensors({{"x", x}, {"y", ours(x)}}, dir + "/ours_io.safetensors");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

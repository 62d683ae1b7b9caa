// SPDX-License-Identifier: MIT
// Our side of the safetensors round trip with PyTorch (driven by
// safetensors_roundtrip.py): loads PyTorch's MLP weights and reproduces its
// outputs, then writes our own MLP's weights and outputs for PyTorch to check;
// loads PyTorch's sequence model (LSTM, attention, Conv1d, BatchNorm1d) and
// reproduces its outputs.
#include <cmath>
#include <cstdio>
#include <string>

#include "autograd/nn/nn.hpp"

using namespace ag;

namespace {
nn::Sequential mlp() { return nn::Sequential(nn::Linear(4, 16), nn::Tanh(), nn::Linear(16, 3)); }

Tensor named(const nn::StateDict& tensors, const std::string& name) {
  for (const auto& [key, t] : tensors)
    if (key == name) return t;
  detail::fail<ValueError>("no tensor '{}'", name);
}

// The Sequence module of safetensors_roundtrip.py, with the same names.
struct Sequence : nn::Module {
  std::shared_ptr<nn::LSTM> lstm;
  std::shared_ptr<nn::MultiheadAttention> attn;
  std::shared_ptr<nn::Conv1d> conv;
  std::shared_ptr<nn::BatchNorm1d> norm;
  std::shared_ptr<nn::Linear> out;
  Sequence() {
    nn::RecurrentOptions options;
    options.num_layers = 2;
    options.bidirectional = true;
    options.batch_first = true;
    lstm = register_module("lstm", std::make_shared<nn::LSTM>(5, 6, options));
    attn =
        register_module("attn", std::make_shared<nn::MultiheadAttention>(12, 3, 0.0, true, true));
    nn::Conv1dOptions padded;
    padded.padding = 1;
    conv = register_module("conv", std::make_shared<nn::Conv1d>(12, 8, 3, padded));
    norm = register_module("norm", std::make_shared<nn::BatchNorm1d>(8));
    out = register_module("out", std::make_shared<nn::Linear>(8, 3));
  }
  Tensor forward(const Tensor& x) override {
    const Tensor h = lstm->run(x).output;
    const Tensor a = attn->attend(h, h, h, {}, {}, false).output;
    return (*out)(amax(relu((*norm)((*conv)(transpose(a, 1, 2)))), 2));
  }
  std::string name() const override { return "Sequence"; }
};

// The worst |got - want| / (1 + |want|).
double worst_difference(const Tensor& got, const Tensor& want) {
  const auto g = got.to_vector(), w = want.to_vector();
  double worst = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    worst = std::max(worst, std::fabs(g[i] - w[i]) / (1 + std::fabs(w[i])));
  }
  return worst;
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
    theirs.load_state_dict(io::load_safetensors(dir + "/torch_model.safetensors"));
    const nn::StateDict io = io::load_safetensors(dir + "/torch_io.safetensors");
    const Tensor x = named(io, "x"), want = named(io, "y");
    const double worst = worst_difference(theirs(x), want);
    std::printf("PyTorch's weights here: %lld outputs, worst relative difference %.3g\n",
                static_cast<long long>(want.numel()), worst);
    if (!(worst <= 1e-6)) return 1;
    Sequence sequence;
    sequence.load_state_dict(io::load_safetensors(dir + "/torch_sequence.safetensors"));
    sequence.eval();
    const nn::StateDict seq_io = io::load_safetensors(dir + "/torch_sequence_io.safetensors");
    const Tensor seq_want = named(seq_io, "y");
    const double seq_worst = worst_difference(sequence(named(seq_io, "x")), seq_want);
    std::printf(
        "PyTorch's LSTM + attention + Conv1d + BatchNorm1d here: %lld outputs, worst "
        "relative difference %.3g\n",
        static_cast<long long>(seq_want.numel()), seq_worst);
    if (!(seq_worst <= 1e-6)) return 1;
    // us -> PyTorch
    manual_seed(7);
    nn::Sequential ours = mlp();
    io::save_safetensors(ours.state_dict(), dir + "/ours_model.safetensors", {{"format", "pt"}});
    io::save_safetensors({{"x", x}, {"y", ours(x)}}, dir + "/ours_io.safetensors");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

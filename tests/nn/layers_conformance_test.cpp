// SPDX-License-Identifier: MIT
// The sequence and convolution layers against torch.nn's modules
// (tests/reference/layers.json, written by make_layers.py): outputs and
// the gradients of inputs and parameters, to 1e-9 relative.
#include "../conformance.hpp"

#include "autograd/nn/nn.hpp"

using namespace conformance;

namespace {

// The case's inputs named w0, w1, ... in order.
std::vector<Tensor> numbered(std::map<std::string, Tensor>& in, const char* prefix) {
  std::vector<Tensor> out;
  for (std::size_t k = 0; in.count(fmt::format("{}{}", prefix, k)); ++k) {
    out.push_back(in[fmt::format("{}{}", prefix, k)]);
  }
  return out;
}

Tensor optional(std::map<std::string, Tensor>& in, const std::string& name) {
  return in.count(name) ? in[name] : Tensor();
}

Tensor apply(const json& c, std::map<std::string, Tensor>& in, Tensor*) {
  const std::string op = c.at("op");
  const json& at = c.at("attrs");
  if (op == "rnn") {
    const std::string kind = at.at("kind");
    const nn::CellKind cell = kind == "lstm"                    ? nn::CellKind::lstm
                              : kind == "gru"                   ? nn::CellKind::gru
                              : at.at("nonlinearity") == "relu" ? nn::CellKind::rnn_relu
                                                                : nn::CellKind::rnn_tanh;
    nn::RecurrentOptions options;
    options.num_layers = at.at("num_layers");
    options.bidirectional = at.at("bidirectional");
    options.batch_first = at.at("batch_first");
    options.bias = at.at("bias");
    const nn::RecurrentOutput out =
        nn::recurrent(cell, in["x"], numbered(in, "w"), options, false, optional(in, "lengths"),
                      optional(in, "h0"), optional(in, "c0"));
    const std::string which = at.at("output");
    return which == "output" ? out.output : which == "h_n" ? out.h_n : out.c_n;
  }
  FAIL("no mapping for op " << op);
  return {};
}

}  // namespace

TEST_CASE("sequence and convolution layers match torch.nn (tests/reference/layers.json)") {
  check_cases(std::filesystem::path(AG_REFERENCE_DIR) / "layers.json", apply);
}

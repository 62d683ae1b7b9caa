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
  if (op == "conv1d") {
    nn::Conv1dOptions options;
    options.stride = at.at("stride");
    options.padding = at.at("padding");
    options.dilation = at.at("dilation");
    options.groups = at.at("groups");
    return nn::conv1d(in["x"], in["weight"], optional(in, "bias"), options);
  }
  if (op == "max_pool1d" || op == "avg_pool1d") {
    nn::Pool1dOptions options;
    options.stride = at.at("stride");
    options.padding = at.at("padding");
    options.ceil_mode = at.at("ceil_mode");
    if (op == "max_pool1d") {
      options.dilation = at.at("dilation");
      return nn::max_pool1d(in["x"], at.at("kernel"), options);
    }
    options.count_include_pad = at.at("count_include_pad");
    return nn::avg_pool1d(in["x"], at.at("kernel"), options);
  }
  if (op == "adaptive_max_pool1d") return nn::adaptive_max_pool1d(in["x"], at.at("output_size"));
  if (op == "adaptive_avg_pool1d") return nn::adaptive_avg_pool1d(in["x"], at.at("output_size"));
  if (op == "batch_norm") {
    Tensor running_mean = in["running_mean"].detach(), running_var = in["running_var"].detach();
    const Tensor y = nn::batch_norm(in["x"], running_mean, running_var, in["weight"], in["bias"],
                                    at.at("training"), at.at("momentum"), at.at("eps"));
    const std::string which = at.at("output");
    return which == "output" ? y : which == "running_mean" ? running_mean : running_var;
  }
  if (op == "sdpa") {
    return nn::scaled_dot_product_attention(in["q"], in["k"], in["v"], optional(in, "mask"), 0.0,
                                            at.at("causal"));
  }
  if (op == "mha") {
    const std::int64_t e = in["w_out"].size(0);
    nn::MultiheadAttention mha(e, at.at("heads"), 0.0, true, at.at("batch_first"), DType::float64);
    mha.in_proj_weight = in["w_in"];  // the case's leaves, so their gradients are checked
    mha.in_proj_bias = in["b_in"];
    mha.out_proj->weight = in["w_out"];
    mha.out_proj->bias = in["b_out"];
    const Tensor key = in.count("key") ? in["key"] : in["query"];
    const Tensor value = in.count("value") ? in["value"] : in["query"];
    const nn::AttentionOutput out =
        mha.attend(in["query"], key, value, optional(in, "key_padding_mask"),
                   optional(in, "attn_mask"), true, at.at("average"));
    return at.at("output") == "output" ? out.output : out.weights;
  }
  if (op == "sinusoidal")
    return nn::sinusoidal_positions(at.at("length"), at.at("dim"), DType::float64);
  FAIL("no mapping for op " << op);
  return {};
}

}  // namespace

TEST_CASE("sequence and convolution layers match torch.nn (tests/reference/layers.json)") {
  check_cases(std::filesystem::path(AG_REFERENCE_DIR) / "layers.json", apply);
}

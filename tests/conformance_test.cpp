// SPDX-License-Identifier: MIT
// PyTorch 1.13 float64 reference values (../shared/conformance/ops.json):
// every case's forward output and vector-Jacobian products, to 1e-9
// relative, with the tolerances the data's README gives.
#include "conformance.hpp"

#include "autograd/nn/nn.hpp"

using namespace conformance;

namespace {

nn::Reduction reduction_of(const json& attrs) {
  const std::string r = attrs.at("reduction");
  return r == "mean" ? nn::Reduction::mean : r == "sum" ? nn::Reduction::sum : nn::Reduction::none;
}

std::vector<std::int64_t> dims_of(const json& attrs) {
  const json& dim = attrs.at("dim");
  if (dim.is_null()) return {};
  if (dim.is_number()) return {dim.get<std::int64_t>()};
  return dim.get<std::vector<std::int64_t>>();
}

// The op of a case applied to its named inputs; also returns extra outputs.
Tensor apply(const json& c, std::map<std::string, Tensor>& in, Tensor* indices) {
  const std::string op = c.at("op");
  const json& at = c.at("attrs");
  if (op == "add") return in["a"] + in["b"];
  if (op == "sub") return in["a"] - in["b"];
  if (op == "mul") return in["a"] * in["b"];
  if (op == "div") return in["a"] / in["b"];
  if (op == "mul_const") return in["x"] * at.at("c").get<double>();
  if (op == "add_const") return in["x"] + at.at("c").get<double>();
  if (op == "rsub_const") return at.at("c").get<double>() - in["x"];
  if (op == "rdiv_const") return at.at("c").get<double>() / in["x"];
  if (op == "neg") return -in["x"];
  if (op == "pow_scalar") return pow(in["x"], at.at("exponent").get<double>());
  if (op == "pow_tensor") return pow(in["a"], in["b"]);
  if (op == "exp") return exp(in["x"]);
  if (op == "log") return log(in["x"]);
  if (op == "sqrt") return sqrt(in["x"]);
  if (op == "rsqrt") return rsqrt(in["x"]);
  if (op == "tanh") return tanh(in["x"]);
  if (op == "sigmoid") return sigmoid(in["x"]);
  if (op == "relu") return relu(in["x"]);
  if (op == "abs") return abs(in["x"]);
  if (op == "leaky_relu") return leaky_relu(in["x"], at.at("negative_slope").get<double>());
  if (op == "gelu") return gelu(in["x"], at.at("approximate") == "tanh");
  if (op == "clamp") {
    auto bound = [&](const char* key) {
      return at.at(key).is_null() ? std::nullopt : std::optional(at.at(key).get<double>());
    };
    return clamp(in["x"], bound("min"), bound("max"));
  }
  if (op == "matmul") return matmul(in["a"], in["b"]);
  if (op == "linear") return linear(in["input"], in["weight"], in["bias"]);
  if (op == "transpose") return transpose(in["x"], at.at("dim0"), at.at("dim1"));
  if (op == "permute") return permute(in["x"], at.at("dims").get<std::vector<std::int64_t>>());
  if (op == "reshape") return reshape(in["x"], at.at("shape").get<std::vector<std::int64_t>>());
  if (op == "sum") return sum(in["x"], dims_of(at), at.at("keepdim"));
  if (op == "mean") return mean(in["x"], dims_of(at), at.at("keepdim"));
  if (op == "max_dim" || op == "min_dim") {
    auto [values, idx] = op == "max_dim" ? max(in["x"], at.at("dim"), at.at("keepdim"))
                                         : min(in["x"], at.at("dim"), at.at("keepdim"));
    *indices = idx;
    return values;
  }
  if (op == "max_all") return max(in["x"]);
  if (op == "amax") return amax(in["x"], dims_of(at), at.at("keepdim"));
  if (op == "softmax") return softmax(in["x"], at.at("dim"));
  if (op == "log_softmax") return log_softmax(in["x"], at.at("dim"));
  if (op == "logsumexp") return logsumexp(in["x"], dims_of(at), at.at("keepdim"));
  if (op == "embedding") {
    const json& pad = at.contains("padding_idx") ? at.at("padding_idx") : json();
    return embedding(in["weight"], in["indices"],
                     pad.is_null() ? std::nullopt : std::optional(pad.get<std::int64_t>()));
  }
  if (op == "cat") {
    std::vector<Tensor> parts;
    for (const auto& name : at.at("order")) parts.push_back(in[name.get<std::string>()]);
    return cat(parts, at.at("dim"));
  }
  if (op == "slice") {
    Tensor x = in["x"];
    for (const auto& s : at.at("slices")) {
      x = slice(x, s.at("dim"), s.value("start", std::int64_t{0}),
                s.at("stop").is_null() ? INT64_MAX : s.at("stop").get<std::int64_t>(),
                s.value("step", std::int64_t{1}));
    }
    return x;
  }
  if (op == "select") return select(in["x"], at.at("dim"), at.at("index"));
  if (op == "index_select") return index_select(in["x"], at.at("dim"), in["index"]);
  if (op == "where") return where(in["cond"], in["a"], in["b"]);
  if (op == "masked_fill") return masked_fill(in["x"], in["mask"], at.at("value"));
  if (op == "cross_entropy") {
    nn::CrossEntropyOptions o;
    o.weight = in.count("weight") ? in["weight"] : Tensor();
    o.ignore_index = at.at("ignore_index");
    o.reduction = reduction_of(at);
    o.label_smoothing = at.at("label_smoothing");
    return nn::cross_entropy(in["input"], in["target"], o);
  }
  if (op == "nll_loss") {
    return nn::nll_loss(in["input"], in["target"], Tensor(), at.at("ignore_index"),
                        reduction_of(at));
  }
  if (op == "binary_cross_entropy") {
    return nn::binary_cross_entropy(in["input"], in["target"], Tensor(), reduction_of(at));
  }
  if (op == "binary_cross_entropy_with_logits") {
    return nn::binary_cross_entropy_with_logits(
        in["input"], in["target"], Tensor(), in.count("pos_weight") ? in["pos_weight"] : Tensor(),
        reduction_of(at));
  }
  if (op == "mse_loss") return nn::mse_loss(in["input"], in["target"], reduction_of(at));
  if (op == "l1_loss") return nn::l1_loss(in["input"], in["target"], reduction_of(at));
  if (op == "dropout") return nn::dropout(in["x"], at.at("p"), at.at("training"));
  // ---- tests/reference/ops.json (tests/reference/make_ops.py) ----
  if (op == "sin") return sin(in["x"]);
  if (op == "cos") return cos(in["x"]);
  if (op == "expm1") return expm1(in["x"]);
  if (op == "log1p") return log1p(in["x"]);
  if (op == "softplus") return softplus(in["x"], at.at("beta"), at.at("threshold"));
  if (op == "logsigmoid") return logsigmoid(in["x"]);
  if (op == "maximum") return maximum(in["a"], in["b"]);
  if (op == "minimum") return minimum(in["a"], in["b"]);
  if (op == "amin") return amin(in["x"], dims_of(at), at.at("keepdim"));
  if (op == "argmax" || op == "argmin") {
    const std::optional<std::int64_t> dim =
        at.at("dim").is_null() ? std::nullopt : std::optional(at.at("dim").get<std::int64_t>());
    return op == "argmax" ? argmax(in["x"], dim, at.at("keepdim"))
                          : argmin(in["x"], dim, at.at("keepdim"));
  }
  if (op == "prod") {
    if (at.at("dim").is_null()) return prod(in["x"]);
    return prod(in["x"], at.at("dim").get<std::int64_t>(), at.at("keepdim"));
  }
  if (op == "var") return var(in["x"], dims_of(at), at.at("correction"), at.at("keepdim"));
  if (op == "std") return ag::std(in["x"], dims_of(at), at.at("correction"), at.at("keepdim"));
  if (op == "norm") {
    const std::string p = at.at("p");
    return norm(in["x"], p == "inf" ? INFINITY : std::stod(p), dims_of(at), at.at("keepdim"));
  }
  if (op == "cumsum") return cumsum(in["x"], at.at("dim"));
  if (op == "flip") return flip(in["x"], at.at("dims").get<std::vector<std::int64_t>>());
  if (op == "repeat") return repeat(in["x"], at.at("repeats").get<std::vector<std::int64_t>>());
  if (op == "expand") return expand(in["x"], at.at("sizes").get<std::vector<std::int64_t>>());
  if (op == "split") {
    const std::size_t part = at.at("part");
    if (at.contains("sizes")) {
      return split(in["x"], at.at("sizes").get<std::vector<std::int64_t>>(), at.at("dim"))[part];
    }
    return split(in["x"], at.at("split_size").get<std::int64_t>(), at.at("dim"))[part];
  }
  if (op == "chunk") return chunk(in["x"], at.at("chunks"), at.at("dim"))[at.at("part")];
  if (op == "flatten") return flatten(in["x"], at.at("start_dim"), at.at("end_dim"));
  if (op == "unflatten") {
    return unflatten(in["x"], at.at("dim"), at.at("sizes").get<std::vector<std::int64_t>>());
  }
  if (op == "tril") return tril(in["x"], at.at("diagonal"));
  if (op == "triu") return triu(in["x"], at.at("diagonal"));
  if (op == "sort" || op == "topk") {
    auto [values, idx] = op == "sort" ? sort(in["x"], at.at("dim"), at.at("descending"))
                                      : topk(in["x"], at.at("k"), at.at("dim"), at.at("largest"));
    *indices = idx;
    return values;
  }
  if (op == "scatter") return scatter(in["x"], at.at("dim"), in["index"], in["src"]);
  if (op == "scatter_add") return scatter_add(in["x"], at.at("dim"), in["index"], in["src"]);
  if (op == "one_hot") return one_hot(in["indices"], at.at("num_classes"));
  if (op == "embedding_bag") {
    const std::string mode = at.at("mode");
    nn::EmbeddingBag bag(in["weight"].size(0), in["weight"].size(1),
                         mode == "sum"    ? nn::EmbeddingBag::Mode::sum
                         : mode == "mean" ? nn::EmbeddingBag::Mode::mean
                                          : nn::EmbeddingBag::Mode::max,
                         false, DType::float64);
    bag.weight = in["weight"];  // the case's leaf, so its gradient is checked
    return bag(in["indices"], in["offsets"], in.count("psw") ? in["psw"] : Tensor());
  }
  if (op == "rnn_cell" || op == "lstm_cell" || op == "gru_cell") {
    const std::int64_t input = in["w_ih"].size(1), hidden = in["w_hh"].size(1);
    auto use = [&](nn::RecurrentCell& cell) {
      cell.weight_ih = in["w_ih"];
      cell.weight_hh = in["w_hh"];
      cell.bias_ih = in["b_ih"];
      cell.bias_hh = in["b_hh"];
    };
    if (op == "rnn_cell") {
      nn::RNNCell cell(input, hidden, true, at.at("nonlinearity"), DType::float64);
      use(cell);
      return cell.step(in["x"], in["h"]);
    }
    if (op == "gru_cell") {
      nn::GRUCell cell(input, hidden, true, DType::float64);
      use(cell);
      return cell.step(in["x"], in["h"]);
    }
    nn::LSTMCell cell(input, hidden, true, DType::float64);
    use(cell);
    const nn::LSTMState next = cell.step(in["x"], {in["h"], in["c"]});
    return at.at("output") == "c" ? next.c : next.h;
  }
  if (op == "layer_norm") {
    return nn::layer_norm(in["x"], at.at("normalized_shape").get<std::vector<std::int64_t>>(),
                          in.count("weight") ? in["weight"] : Tensor(),
                          in.count("bias") ? in["bias"] : Tensor(), at.at("eps"));
  }
  if (op == "as_strided") {
    return as_strided(in["x"], at.at("size").get<std::vector<std::int64_t>>(),
                      at.at("stride").get<std::vector<std::int64_t>>(), at.at("offset"));
  }
  if (op == "unfold") return unfold(in["x"], at.at("dim"), at.at("size"), at.at("step"));
  if (op == "pad")
    return pad(in["x"], at.at("pads").get<std::vector<std::int64_t>>(), at.at("value"));
  if (op == "einsum") {
    std::vector<Tensor> operands{in["a"]};
    if (in.count("b")) operands.push_back(in["b"]);
    return einsum(at.at("equation").get<std::string>(), operands);
  }
  FAIL("no mapping for op " << op);
  return {};
}

}  // namespace

TEST_CASE("ops match PyTorch 1.13 (shared/conformance/ops.json)") {
  const std::filesystem::path file = std::filesystem::path(AG_CONFORMANCE_DIR) / "ops.json";
  if (!std::filesystem::exists(file)) {
    MESSAGE("skipped: no conformance data at " << file.string());
    return;
  }
  check_cases(file, apply);
}

TEST_CASE("later ops match PyTorch 1.13 (tests/reference/ops.json)") {
  check_cases(std::filesystem::path(AG_REFERENCE_DIR) / "ops.json", apply);
}

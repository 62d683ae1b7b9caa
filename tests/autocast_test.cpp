// SPDX-License-Identifier: MIT
// bfloat16 autocast (autograd/autocast.hpp) against PyTorch 1.13's CPU
// autocast (tests/reference/autocast.json, tests/reference/make_autocast.py):
// the rounding bit for bit, and products and their gradients against both the
// float64 product of the rounded operands and torch's own bfloat16 results.
#include <algorithm>
#include <bit>
#include <cstdint>

#include "autograd/nn/nn.hpp"
#include "conformance.hpp"

using namespace conformance;

namespace {

const json& reference() {
  static const json data =
      json::parse(std::ifstream(std::filesystem::path(AG_REFERENCE_DIR) / "autocast.json"));
  return data;
}

Tensor load32(const json& t) { return load(t).to(DType::float32); }

// |got - want| within `rel` of the largest |want| (products of normal values)
void near(const std::string& what, const Tensor& got, const json& want, double rel) {
  double largest = 0;
  for (double w : want.at("data").get<std::vector<double>>())
    largest = std::max(largest, std::fabs(w));
  compare(what, got.to(DType::float64), want, 0, rel * largest);
}

// The products of each stored case, run with autocast on; gradients of
// sum(out * upstream).
std::map<std::string, Tensor> run(const json& c) {
  std::map<std::string, Tensor> in, result;
  for (const auto& [key, t] : c.at("inputs").items()) in[key] = load32(t).requires_grad_();
  Tensor out;
  {
    AutocastGuard autocast;
    out = c.at("op") == "matmul" ? matmul(in["a"], in["b"])
                                 : linear(in["input"], in["weight"], in["bias"]);
  }
  sum(out * load32(c.at("upstream"))).backward();  // outside the scope, as usual
  result["output"] = out;
  for (auto& [key, t] : in) result["grad_" + key] = t.grad();
  return result;
}

}  // namespace

TEST_CASE("round_to_bfloat16 matches torch's .bfloat16() bit for bit") {
  int checked = 0;
  for (const json& r : reference().at("rounding")) {
    const auto in = r.at("float32_bits").get<std::uint32_t>();
    const auto want = r.at("bfloat16_bits").get<std::uint32_t>();
    const float got = round_to_bfloat16(std::bit_cast<float>(in));
    const auto got_bits = std::bit_cast<std::uint32_t>(got);
    CAPTURE(in);
    CHECK((got_bits & 0xffffu) == 0);
    if ((want & 0x7fffu) > 0x7f80u) {  // NaN: any NaN (torch keeps the payload's top bits)
      CHECK(std::isnan(got));
    } else {
      CHECK((got_bits >> 16) == want);
    }
    ++checked;
  }
  CHECK(checked == 62);
}

TEST_CASE("autocast products and gradients: bfloat16 operands, float32 sums, as PyTorch") {
  for (const json& c : reference().at("products")) {
    const std::string name = c.at("name");
    CAPTURE(name);
    CAPTURE(autocast_backend());
    const auto got = run(c);
    for (const auto& [key, want] : c.at("exact").items()) {
      // float32 sums of exact bfloat16 products: a few float32 steps of the largest value
      near(key + " vs float64 of rounded operands", got.at(key), want, 1e-5);
    }
    for (const auto& [key, want] : c.at("torch").items()) {
      // torch rounds its outputs (and linear's bias) to bfloat16, and Debian's
      // build (generic BLAS) also sums partly in bfloat16: its results lie up
      // to 1.2 % of the largest value from the exact ones in these cases.
      near(key + " vs torch.autocast", got.at(key), want, 0x1p-6);
    }
  }
}

TEST_CASE("outside the scope, and for float64, products are not rounded") {
  const json& c = reference().at("products").at(0);
  const Tensor a = load32(c.at("inputs").at("a")), b = load32(c.at("inputs").at("b"));
  Tensor plain = matmul(a, b), rounded;
  {
    AutocastGuard autocast;
    CHECK(is_autocast_enabled());
    {
      AutocastGuard off(false);
      CHECK(!is_autocast_enabled());
      CHECK(max(abs(matmul(a, b) - plain)).item() == 0.0);
    }
    rounded = matmul(a, b);
    const Tensor a64 = a.to(DType::float64), b64 = b.to(DType::float64);
    CHECK(max(abs(matmul(a64, b64) - plain.to(DType::float64))).item() < 1e-5);
    CHECK(matmul(a64, b64).dtype() == DType::float64);
  }
  CHECK(!is_autocast_enabled());
  CHECK(rounded.dtype() == DType::float32);
  // The rounding is visible: bfloat16 operands move the product by ~1e-2
  CHECK(max(abs(rounded - plain)).item() > 1e-3);
}

TEST_CASE("the bfloat16 kernels agree with the float32 emulation (where oneDNN runs them)") {
  const std::vector<std::string_view> libraries = gemm_backends();
  if (std::find(libraries.begin(), libraries.end(), "onednn") == libraries.end()) {
    MESSAGE("built without oneDNN: no bfloat16 kernels to compare");  // -Donednn=disabled
    return;
  }
  const json& c = reference().at("products").at(2);
  const Tensor a = load32(c.at("inputs").at("a")), b = load32(c.at("inputs").at("b"));
  AutocastGuard autocast;
  set_gemm_backend("blas");
  CHECK(autocast_backend() == "float32");
  const Tensor emulated = matmul(a, b);
  set_gemm_backend("onednn");  // bfloat16 kernels where oneDNN has them for this CPU
  const Tensor native = matmul(a, b);
  MESSAGE("autocast on oneDNN for this CPU: ", autocast_backend());
  set_gemm_backend("auto");
  near("oneDNN vs emulation", native, c.at("exact").at("output"), 1e-5);
  near("emulation", emulated, c.at("exact").at("output"), 1e-5);
}

TEST_CASE("training under autocast follows the float32 loss curve") {
  // A 2-layer MLP on a fixed batch, Adam, 60 steps: the two loss curves
  // stay within 2 % of each other (docs/performance.md measures P3's).
  auto curve = [](bool bf16) {
    Generator gen(5);
    auto net = nn::MLP({64, 48, 5}, "relu", "identity", true, DType::float32, gen);
    const Tensor x = randn({32, 64}, gen);
    std::vector<std::int64_t> labels(32);
    for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::int64_t>(i % 5);
    const Tensor y = index_tensor(labels);
    optim::Adam adam(net->parameters(), {.lr = 3e-3});
    std::vector<double> losses;
    for (int step = 0; step < 60; ++step) {
      AutocastGuard autocast(bf16);
      adam.zero_grad();
      Tensor loss = nn::cross_entropy((*net)(x), y);
      loss.backward();
      adam.step();
      losses.push_back(loss.item());
    }
    return losses;
  };
  const auto f32 = curve(false), bf16 = curve(true);
  double worst = 0;
  for (std::size_t i = 0; i < f32.size(); ++i)
    worst = std::max(worst, std::fabs(bf16[i] - f32[i]) / f32[i]);
  MESSAGE("largest relative loss difference over 60 steps: ", worst);
  CHECK(worst < 0.02);
  CHECK(worst > 0);  // the products did run in bfloat16
  CHECK(bf16.back() < 0.5 * bf16.front());
}

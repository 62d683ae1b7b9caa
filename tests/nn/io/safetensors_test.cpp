// SPDX-License-Identifier: MIT
// nn/io/safetensors.cpp and Module::state_dict / load_state_dict / to.
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include <fmt/format.h>

#include "autograd/nn/nn.hpp"

using namespace ag;

namespace {
std::string temp_path(const char* name) {
  return (std::filesystem::temp_directory_path() / name).string();
}
// A file of the format from a header text and data bytes.
std::string file_of(const std::string& header, const std::string& data) {
  std::string out(8, '\0');
  const std::uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  return out + header + data;
}
// A line of /proc/self/status ("VmHWM:", "VmRSS:"), in KiB.
long status_kib(const std::string& key) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key, 0) == 0) return std::stol(line.substr(key.size()));
  }
  return -1;
}
// How much the peak resident memory grows (MiB) while f runs: the kernel's
// high-water mark, reset first (clear_refs 5), against the RSS before.
long peak_growth_mib(const std::function<void()>& f) {
  { std::ofstream("/proc/self/clear_refs") << "5"; }
  const long before = status_kib("VmRSS:");
  try {
    f();
  } catch (...) {
  }
  return (status_kib("VmHWM:") - before) / 1024;
}
}  // namespace

TEST_CASE("safetensors: tensors round-trip exactly, with metadata") {
  const nn::StateDict tensors = {{"w", Tensor::from({{1.5f, -2.0f}, {3.25f, 0.0f}})},
                                 {"d", Tensor::from({1e-300, 2.0, 3.0})},
                                 {"i", Tensor::from({-7, 8})},
                                 {"b", Tensor::from({true, false, true})},
                                 {"scalar", scalar_tensor(4.0, DType::float64)},
                                 {"empty \"quoted\" name", zeros({0, 3})}};
  const std::string path = temp_path("autograd-test.safetensors");
  io::save_safetensors(tensors, path, {{"format", "pt"}});
  const nn::StateDict back = io::load_safetensors(path);
  REQUIRE(back.size() == tensors.size());
  for (std::size_t k = 0; k < back.size(); ++k) {
    CAPTURE(tensors[k].first);
    CHECK(back[k].first == tensors[k].first);
    CHECK(back[k].second.dtype() == tensors[k].second.dtype());
    CHECK(back[k].second.shape() == tensors[k].second.shape());
    CHECK(back[k].second.to_vector() == tensors[k].second.to_vector());
  }
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  CHECK(io::safetensors_metadata(bytes, path).at("format") == "pt");
  std::uint64_t n;
  std::memcpy(&n, bytes.data(), 8);
  CHECK(n % 8 == 0);  // the data starts 8-aligned
  std::filesystem::remove(path);
}

TEST_CASE("safetensors: half floats and narrow integers load widened") {
  // F16 1.0 = 0x3C00, -2.5 = 0xC100, 2^-24 (subnormal) = 0x0001; BF16 1.0 = 0x3F80
  const std::string data = std::string("\x00\x3C\x00\xC1\x01\x00", 6) + std::string("\x80\x3F", 2) +
                           std::string("\xFE\xFF\xFF\xFF", 4) + std::string("\xFF", 1);
  const std::string header = R"({"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},)"
                             R"("bf":{"dtype":"BF16","shape":[1],"data_offsets":[6,8]},)"
                             R"("i":{"dtype":"I32","shape":[1],"data_offsets":[8,12]},)"
                             R"("u":{"dtype":"U8","shape":[],"data_offsets":[12,13]}})";
  const nn::StateDict t = io::parse_safetensors(file_of(header, data), "mem");
  CHECK(t[0].second.dtype() == DType::float32);
  CHECK(t[0].second.to_vector() == std::vector<double>{1.0, -2.5, std::ldexp(1.0, -24)});
  CHECK(t[1].second.item() == 1.0);
  CHECK(t[2].second.dtype() == DType::int64);
  CHECK(t[2].second.item() == -2.0);
  CHECK(t[3].second.item() == 255.0);
}

TEST_CASE("safetensors: hostile files are FileErrors naming the problem, before allocating") {
  auto refuses = [](const std::string& bytes, const char* what) {
    CAPTURE(what);
    CHECK_THROWS_WITH_AS(io::parse_safetensors(bytes, "evil"), doctest::Contains(what), FileError);
  };
  refuses("abc", "too short");
  refuses(std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8) + "{}", "header of");
  refuses(file_of("{\"a\":", ""), "bad JSON");
  refuses(file_of("[1]", ""), "not a JSON object");
  refuses(file_of(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", "12345678"),
          "needs 8 bytes");
  refuses(file_of(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", "12"),
          "bad data_offsets");  // past the data
  refuses(file_of(R"({"a":{"dtype":"F32","shape":[1099511627776,1099511627776],)"
                  R"("data_offsets":[0,4]}})",
                  "1234"),
          "too many elements");
  refuses(file_of(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", "1234"),
          "bad shape");
  refuses(file_of(R"({"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}})", "12345678"),
          "does not load here");
  refuses(file_of(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                  R"("b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}})",
                  "123456"),
          "overlap");
  refuses(file_of(R"({"a":{"dtype":"F32"}})", ""), "needs dtype, shape");
  refuses(file_of(std::string(40, '[') + std::string(40, ']'), ""), "nested too deep");
  refuses(file_of("{\"a\x01\":{}}", ""), "control character");
  CHECK_THROWS_AS(io::load_safetensors("/"), FileError);
  CHECK_THROWS_AS(io::load_safetensors("/no/such/file.safetensors"), FileError);
}

TEST_CASE("module: state_dict and load_state_dict, strict and not, and to(dtype)") {
  manual_seed(1);
  nn::Sequential a(nn::Linear(3, 4), nn::ReLU(), nn::Linear(4, 2));
  nn::Sequential b(nn::Linear(3, 4), nn::ReLU(), nn::Linear(4, 2));
  const auto state = a.state_dict();
  REQUIRE(state.size() == 4);
  CHECK(state[0].first == "0.weight");
  CHECK(state[3].first == "2.bias");
  CHECK_FALSE(state[0].second.requires_grad());
  b.load_state_dict(state);
  const Tensor x = randn({5, 3});
  CHECK(a(x).to_vector() == b(x).to_vector());
  // strict: a missing or unexpected name is an error and changes nothing
  auto partial = state;
  partial.pop_back();
  partial.emplace_back("extra", zeros({1}));
  nn::Sequential c(nn::Linear(3, 4), nn::ReLU(), nn::Linear(4, 2));
  const auto before = c.state_dict()[0].second.to_vector();
  CHECK_THROWS_WITH_AS(c.load_state_dict(partial), doctest::Contains("2.bias"), ValueError);
  CHECK(c.state_dict()[0].second.to_vector() == before);
  const auto result = c.load_state_dict(partial, false);
  CHECK(result.missing_keys == std::vector<std::string>{"2.bias"});
  CHECK(result.unexpected_keys == std::vector<std::string>{"extra"});
  CHECK(c.state_dict()[0].second.to_vector() == state[0].second.to_vector());
  // a shape mismatch is an error even when not strict
  auto wrong = state;
  wrong[1].second = zeros({5});
  CHECK_THROWS_WITH_AS(c.load_state_dict(wrong, false), doctest::Contains("0.bias"), ValueError);
  // float64 values load into float32 parameters (converted), and to() converts a module
  auto wide = state;
  for (auto& [name, t] : wide) t = t.to(DType::float64);
  c.load_state_dict(wide);
  CHECK(c(x).to_vector() == a(x).to_vector());
  nn::Linear& first = dynamic_cast<nn::Linear&>(a[0]);
  a.to(DType::float64);
  CHECK(first.weight.dtype() == DType::float64);  // the layer's own handle sees it
  CHECK(a.parameters()[0].dtype() == DType::float64);
  CHECK(a.parameters()[0].requires_grad());
  const Tensor y = a(x.to(DType::float64));
  CHECK(y.dtype() == DType::float64);
  CHECK_THROWS_AS(a.to(DType::int64), DTypeError);
  // through a file
  const std::string path = temp_path("autograd-module.safetensors");
  io::save_safetensors(b.state_dict(), path);
  nn::Sequential d(nn::Linear(3, 4), nn::ReLU(), nn::Linear(4, 2));
  d.load_state_dict(io::load_safetensors(path));
  CHECK(d(x).to_vector() == b(x).to_vector());
  std::filesystem::remove(path);
}

TEST_CASE("safetensors: a zero size does not hide huge others (found by checkpoint_fuzz)") {
  CHECK_THROWS_AS(
      io::parse_safetensors(
          file_of(R"({"a":{"dtype":"F32","shape":[0,281474976710656,2],"data_offsets":[0,0]}})",
                  ""),
          "evil"),
      FileError);
  CHECK_THROWS_AS(
      io::parse_safetensors(file_of(R"({"a":{"dtype":"F32","shape":[1,1,1,1,1,1,1,1,1],)"
                                    R"("data_offsets":[0,4]}})",
                                    "1234"),
                            "evil"),
      FileError);
}

TEST_CASE("safetensors: small files cannot make the reader allocate much (issue #38)") {
  // 200 entries on one 1 MiB byte range: refused as overlapping before any
  // is decoded (it allocated 202 MiB first).
  std::string header = "{";
  for (int k = 0; k < 200; ++k) {
    header += fmt::format(
        "{}\"t{}\":{{\"dtype\":\"F32\",\"shape\":[262144],"
        "\"data_offsets\":[0,1048576]}}",
        k ? "," : "", k);
  }
  const std::string overlapping = file_of(header + "}", std::string(1 << 20, '\0'));
  // (Measured first: the buffer cache would serve a second call from memory
  // the first made resident.)
  CHECK(peak_growth_mib([&] { io::parse_safetensors(overlapping, "evil"); }) < 40);
  CHECK_THROWS_WITH(io::parse_safetensors(overlapping, "evil"), doctest::Contains("overlap"));
  // A 2,000,000-dim shape in a 3.9 MB header: refused while it is read (it
  // took 204 MiB before "more than 8 dims").
  std::string dims = "1";
  for (int k = 1; k < 2'000'000; ++k) dims += ",1";
  const std::string wide =
      file_of(R"({"a":{"dtype":"F32","shape":[)" + dims + R"(],"data_offsets":[0,4]}})", "1234");
  CHECK_THROWS_WITH(io::parse_safetensors(wide, "evil"),
                    doctest::Contains("an array of more than 64 items"));
  CHECK(peak_growth_mib([&] { io::parse_safetensors(wide, "evil"); }) < 40);
}

TEST_CASE("safetensors: names the format forbids are refused before writing (issue #38)") {
  const std::string path = temp_path("ag_forbidden.safetensors");
  std::filesystem::remove(path);
  const Tensor t = ones({2});
  CHECK_THROWS_WITH(io::save_safetensors({{"w", t}, {"w", t}}, path),
                    doctest::Contains("the name 'w' appears twice"));
  CHECK_THROWS_WITH(io::save_safetensors({{"bad\xff", t}}, path),
                    doctest::Contains("the name 'bad\\xff' is not UTF-8"));
  CHECK_THROWS_AS(io::save_safetensors({{"overlong\xc0\xaf", t}}, path), ValueError);
  CHECK_THROWS_AS(io::save_safetensors({{"surrogate\xed\xa0\x80", t}}, path), ValueError);
  CHECK_THROWS_AS(io::save_safetensors({{"cut\xe2\x82", t}}, path), ValueError);
  CHECK_THROWS_WITH(io::save_safetensors({{"w", t}}, path, {{"k\x80", "v"}}),
                    doctest::Contains("metadata key"));
  CHECK_THROWS_AS(io::save_safetensors({{"w", t}}, path, {{"k", "v\xfe"}}), ValueError);
  CHECK_FALSE(std::filesystem::exists(path));
  // Real UTF-8 is fine, and reads back.
  io::save_safetensors({{"poids_é_€_😀", t}}, path, {{"clé", "valeur ✓"}});
  CHECK(io::load_safetensors(path).at(0).first == "poids_é_€_😀");
  std::filesystem::remove(path);
}

// SPDX-License-Identifier: MIT
// nn/io/checkpoint.cpp: saving and loading, and hostile files.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>

#include "autograd/nn/nn.hpp"

using namespace ag;
using Args = std::vector<Tensor>;

namespace {

struct Trained {
  std::shared_ptr<nn::Sequential> net;
  std::unique_ptr<optim::Adam> opt;
  Tensor x, y;
  void steps(int n) {
    for (int i = 0; i < n; ++i) {
      opt->zero_grad();
      nn::mse_loss((*net)(x), y).backward();
      opt->step();
    }
  }
};

Trained make_trained(std::uint64_t seed) {
  manual_seed(seed);
  Trained t;
  t.net = nn::MLP({3, 4, 2}, "tanh", "identity", true, DType::float64);
  t.opt = std::make_unique<optim::Adam>(t.net->parameters(), optim::AdamOptions{.lr = 0.01});
  t.x = randn({8, 3}, default_generator(), DType::float64);
  t.y = randn({8, 2}, default_generator(), DType::float64);
  return t;
}

std::vector<std::vector<double>> values(const nn::Module& m) {
  std::vector<std::vector<double>> out;
  for (const Tensor& p : m.parameters()) out.push_back(p.to_vector());
  return out;
}

std::string temp_path(const char* name) {
  return (std::filesystem::temp_directory_path() / name).string();
}

}  // namespace

TEST_CASE("checkpoint: checkpoints round-trip bit for bit and training continues identically") {
  Trained a = make_trained(5);
  a.steps(10);
  const std::string path = temp_path("autograd-ckpt.bin");
  io::save_checkpoint(path, *a.net, a.opt.get());
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  Trained b = make_trained(6);  // different weights
  b.x = a.x;
  b.y = a.y;
  io::load_checkpoint(path, *b.net, b.opt.get());
  CHECK(values(*a.net) == values(*b.net));
  a.steps(5);
  b.steps(5);
  CHECK(values(*a.net) == values(*b.net));
  std::filesystem::remove(path);
}

TEST_CASE("checkpoint: a schedule's position is saved and restored with the optimizer") {
  Trained a = make_trained(5);
  auto cycle = [](optim::Optimizer& opt) {
    return std::make_unique<optim::SequentialLR>(
        opt,
        std::vector<std::shared_ptr<optim::Scheduler>>{
            std::make_shared<optim::LinearLR>(opt, 0.5, 1.0, 2),
            std::make_shared<optim::CosineAnnealingWarmRestarts>(opt, 3, 2)},
        std::vector<std::int64_t>{2});
  };
  auto sched_a = cycle(*a.opt);
  for (int e = 0; e < 4; ++e) {
    a.steps(2);
    sched_a->step();
  }
  const std::string path = temp_path("autograd-ckpt-sched.bin");
  io::save_checkpoint(path, *a.net, a.opt.get(), sched_a.get());
  Trained b = make_trained(6);
  b.x = a.x;
  b.y = a.y;
  auto sched_b = cycle(*b.opt);
  io::load_checkpoint(path, *b.net, b.opt.get(), sched_b.get());
  CHECK(b.opt->lr() == a.opt->lr());
  for (int e = 0; e < 5; ++e) {
    a.steps(2);
    b.steps(2);
    sched_a->step();
    sched_b->step();
    CHECK(b.opt->lr() == a.opt->lr());
  }
  CHECK(values(*a.net) == values(*b.net));
  // a checkpoint without a schedule, or with another one's, changes nothing
  Trained c = make_trained(7);
  auto sched_c = std::make_unique<optim::CosineAnnealingWarmRestarts>(*c.opt, 4);
  const auto before = values(*c.net);
  const double lr_before = c.opt->lr();
  io::save_checkpoint(path, *a.net, a.opt.get());
  CHECK_THROWS_AS(io::load_checkpoint(path, *c.net, c.opt.get(), sched_c.get()), FileError);
  io::save_checkpoint(path, *a.net, a.opt.get(), sched_a.get());
  const optim::StateDict c_state = c.opt->state_dict();
  CHECK_THROWS_AS(io::load_checkpoint(path, *c.net, c.opt.get(), sched_c.get()), FileError);
  CHECK(c.opt->state_dict().size() == c_state.size());  // the optimizer's state put back
  optim::StateDict bad = sched_a->state_dict();
  CHECK_THROWS_AS(sched_c->load_state_dict(bad), ValueError);  // no T_cur, T_i
  CHECK(values(*c.net) == before);
  CHECK(c.opt->lr() == lr_before);
  std::filesystem::remove(path);
}

TEST_CASE("checkpoint: hostile checkpoint contents found by fuzzing are clean errors") {
  // tests/fuzz/checkpoint_fuzz found both: a bool byte other than 0/1 (an
  // invalid bool when read), and a step count no int64 can hold (UB on cast).
  std::string bytes;
  {
    const std::string path = temp_path("autograd-ckpt-bool.bin");
    io::save_tensors({{"mask", gt(ones({3}), 0.0)}}, path);
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
    std::filesystem::remove(path);
  }
  std::string body = bytes.substr(0, bytes.size() - 8);
  CHECK(io::parse_tensors(bytes, "ok")[0].second.to_vector() == std::vector<double>{1, 1, 1});
  body[body.size() - 2] = 5;
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a, as the format says
  for (unsigned char c : body) h = (h ^ c) * 0x100000001b3ULL;
  const std::string rehashed = body + std::string(reinterpret_cast<const char*>(&h), 8);
  CHECK_THROWS_WITH_AS(io::parse_tensors(rehashed, "bad"), doctest::Contains("byte 5 (not 0 or 1)"),
                       FileError);

  Trained a = make_trained(5);
  a.steps(2);
  const auto before = values(*a.net);
  for (double step : {1e300, -1.0, 0.5, std::nan("")}) {
    optim::StateDict entries;
    for (const auto& [name, t] : a.net->named_parameters())
      entries.emplace_back("model." + name, t);
    for (const auto& [name, t] : a.opt->state_dict()) {
      const bool is_step = name.ends_with(".step");
      entries.emplace_back("optim." + name, is_step ? scalar_tensor(step, DType::float64) : t);
    }
    const std::string path = temp_path("autograd-ckpt-step.bin");
    io::save_tensors(entries, path);
    CHECK_THROWS_WITH_AS(io::load_checkpoint(path, *a.net, a.opt.get()),
                         doctest::Contains("is not a step count"), FileError);
    CHECK(values(*a.net) == before);
    std::filesystem::remove(path);
  }
}

TEST_CASE("checkpoint: a zero size does not hide huge others (found by checkpoint_fuzz)") {
  // shape {0, 2^48, 2}: no data, but no tensor may have it (ShapeError escaped)
  std::string body("AGCKPT\0\1", 8);
  auto put = [&](auto v) { body.append(reinterpret_cast<const char*>(&v), sizeof v); };
  put(std::uint32_t{1});  // version
  put(std::uint32_t{1});  // entries
  put(std::uint32_t{1});
  body += "x";
  put(std::uint8_t{0});  // float32
  put(std::uint8_t{3});
  for (std::int64_t size : {std::int64_t{0}, std::int64_t{1} << 48, std::int64_t{2}}) put(size);
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : body) h = (h ^ c) * 0x100000001b3ULL;
  put(h);
  CHECK_THROWS_WITH_AS(io::parse_tensors(body, "evil"), doctest::Contains("'x' has shape"),
                       FileError);
}

TEST_CASE("checkpoint: bad checkpoints throw a clear error and change nothing") {
  Trained a = make_trained(5);
  a.steps(3);
  const std::string path = temp_path("autograd-ckpt-good.bin");
  io::save_checkpoint(path, *a.net, a.opt.get());
  std::ifstream in(path, std::ios::binary);
  const std::string good{std::istreambuf_iterator<char>(in), {}};

  Trained b = make_trained(9);
  const auto before = values(*b.net);
  const auto state_before = b.opt->state_dict().size();
  auto try_bytes = [&](const std::string& bytes, const char* expected) {
    const std::string bad = temp_path("autograd-ckpt-bad.bin");
    std::ofstream(bad, std::ios::binary) << bytes;
    CHECK_THROWS_AS(io::load_checkpoint(bad, *b.net, b.opt.get()), FileError);
    CHECK_THROWS_WITH(io::load_checkpoint(bad, *b.net, b.opt.get()), doctest::Contains(expected));
    CHECK(values(*b.net) == before);
    CHECK(b.opt->state_dict().size() == state_before);
    std::filesystem::remove(bad);
  };
  try_bytes(good.substr(0, good.size() / 2), "checksum");  // truncated
  for (std::size_t cut : {0ul, 5ul, 20ul}) try_bytes(good.substr(0, cut), "not an autograd");
  std::string flipped = good;
  flipped[good.size() / 3] ^= 0x10;
  try_bytes(flipped, "checksum");
  std::string version = good;
  version[8] = 7;
  try_bytes(version, "version 7");
  try_bytes("hello, this is not a checkpoint file at all", "not an autograd");

  // A model of another shape.
  manual_seed(1);
  auto other = nn::MLP({3, 5, 2}, "tanh", "identity", true, DType::float64);
  const auto other_before = values(*other);
  CHECK_THROWS_WITH(
      io::load_checkpoint(path, *other),
      doctest::Contains("'0.weight' is float64 [4, 3] in the file but float64 [5, 3]"));
  CHECK(values(*other) == other_before);
  CHECK_THROWS_WITH(io::load_checkpoint(temp_path("no-such-checkpoint.bin"), *b.net),
                    doctest::Contains("cannot open"));
  std::filesystem::remove(path);
}

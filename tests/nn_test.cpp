// The nn module: layers, initialisation, training sanity with every
// optimizer, the lecture's 2-2-1 network with layers, checkpoints.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>

#include "nn/nn.hpp"

using namespace ag;
using Args = std::vector<Tensor>;

TEST_CASE("modules register parameters with hierarchical names") {
  manual_seed(1);
  auto mlp = nn::MLP({2, 3, 1}, "tanh", "sigmoid");
  const auto named = mlp->named_parameters();
  REQUIRE(named.size() == 4);
  CHECK(named[0].first == "0.weight");
  CHECK(named[1].first == "0.bias");
  CHECK(named[2].first == "2.weight");
  CHECK(named[0].second.shape() == Shape{3, 2});
  CHECK(mlp->num_parameters() == 3 * 2 + 3 + 3 + 1);
  CHECK(mlp->parameters()[0].requires_grad());
  const std::string table = mlp->summary({5, 2});
  CHECK(table.find("Linear(in_features=2, out_features=3, bias=true)") != std::string::npos);
  CHECK(table.find("[5, 3]") != std::string::npos);
  CHECK(table.find("total parameters: 13") != std::string::npos);
  mlp->eval();
  CHECK_FALSE((*mlp)[0].is_training());
  CHECK_THROWS_AS(nn::activation("swish"), ValueError);
}

TEST_CASE("loss modules are the functional losses") {
  const Tensor p = Tensor::from({{0.2, 0.7}}), y = Tensor::from({{0.0, 1.0}});
  const Tensor logits = Tensor::from({{1.0, -1.0, 0.5}}), t = index_tensor({2});
  CHECK(nn::MSELoss()(p, y).item() == nn::mse_loss(p, y).item());
  CHECK(nn::L1Loss(nn::Reduction::sum)(p, y).item() == doctest::Approx(0.5));
  CHECK(nn::BCELoss()(p, y).item() == nn::binary_cross_entropy(p, y).item());
  CHECK(nn::BCEWithLogitsLoss()(p, y).item() == nn::binary_cross_entropy_with_logits(p, y).item());
  CHECK(nn::CrossEntropyLoss()(logits, t).item() ==
        doctest::Approx(nn::NLLLoss()(log_softmax(logits, 1), t).item()));
  CHECK_THROWS_AS(nn::mse_loss(p, ones({2})), ShapeError);
  CHECK_THROWS_AS(nn::cross_entropy(logits, index_tensor({3})), IndexError);
}

TEST_CASE("Linear uses PyTorch's default initialisation bounds") {
  nn::Linear layer(100, 50);
  const double bound = 1.0 / std::sqrt(100.0);
  for (double w : layer.weight.to_vector()) CHECK(std::fabs(w) <= bound);
  for (double b : layer.bias.to_vector()) CHECK(std::fabs(b) <= bound);
  CHECK_THROWS_AS((nn::Linear(0, 3)), ShapeError);
  CHECK_THROWS_AS(layer(ones({2, 99})), ShapeError);
}

TEST_CASE("initialisers have the stated spread") {
  Generator gen(11);
  Tensor w = zeros({200, 300}, DType::float64);
  auto stddev = [&] {
    double s = 0;
    for (double v : w.to_vector()) s += v * v;
    return std::sqrt(s / static_cast<double>(w.numel()));
  };
  nn::init::xavier_normal_(w, 1.0, gen);
  CHECK(stddev() == doctest::Approx(std::sqrt(2.0 / 500)).epsilon(0.02));
  nn::init::kaiming_normal_(w, 0.0, "fan_in", "relu", gen);
  CHECK(stddev() == doctest::Approx(std::sqrt(2.0 / 300)).epsilon(0.02));
  nn::init::xavier_uniform_(w, 1.0, gen);
  CHECK(stddev() == doctest::Approx(std::sqrt(6.0 / 500) / std::sqrt(3.0)).epsilon(0.02));
  nn::init::kaiming_uniform_(w, std::sqrt(5.0), "fan_in", "leaky_relu", gen);
  for (double v : w.to_vector()) CHECK(std::fabs(v) <= 1.0 / std::sqrt(300.0) + 1e-12);
  nn::init::constant_(w, 0.25);
  CHECK(w.at({7, 9}) == 0.25);
  CHECK(nn::init::calculate_gain("tanh") == doctest::Approx(5.0 / 3.0));
}

TEST_CASE("embedding layers: padding row, bags of fixed and varying length") {
  nn::Embedding emb(10, 4, 0);
  CHECK(emb.weight.at({0, 2}) == 0.0);
  CHECK(emb(index_tensor({3, 0}, {1, 2})).shape() == Shape{1, 2, 4});
  nn::EmbeddingBag bag(10, 3, nn::EmbeddingBag::Mode::mean);
  const Tensor fixed = bag(index_tensor({1, 2, 3, 4}, {2, 2}));
  const Tensor varying = bag.forward(index_tensor({1, 2, 3, 4}), index_tensor({0, 2}));
  CHECK(fixed.to_vector() == varying.to_vector());
  const Tensor three = bag.forward(index_tensor({1, 2, 3}), index_tensor({0, 1}));
  CHECK(three.at({1, 0}) == doctest::Approx((bag.weight.at({2, 0}) + bag.weight.at({3, 0})) / 2));
  CHECK_THROWS_AS(bag.forward(index_tensor({1}), index_tensor({0, 2})), IndexError);
  // mean bags {1, 2} and {3}: rows 1 and 2 get 1/2 each, row 3 gets 1
  sum(bag.forward(index_tensor({1, 2, 3}), index_tensor({0, 2}))).backward();
  CHECK(bag.weight.grad().at({1, 0}) == doctest::Approx(0.5));
  CHECK(bag.weight.grad().at({3, 2}) == doctest::Approx(1.0));
  CHECK(bag.weight.grad().at({0, 0}) == 0.0);
  nn::EmbeddingBag padded(10, 3, nn::EmbeddingBag::Mode::mean, false, DType::float32,
                          default_generator(), 0);
  const Tensor short_bag = padded(index_tensor({2, 3, 0, 0}, {1, 4}));
  const Tensor exact = padded(index_tensor({2, 3}, {1, 2}));
  CHECK(short_bag.to_vector() == exact.to_vector());  // padding neither adds nor counts
  nn::EmbeddingBag sparse_bag(10, 3, nn::EmbeddingBag::Mode::sum, true);
  sum(sparse_bag(index_tensor({4, 4, 5, 6}, {2, 2}))).backward();
  CHECK(sparse_bag.weight.sparse_grad().rows.numel() == 4);
}

TEST_CASE("dropout scales in training and is the identity in evaluation") {
  Generator gen(3);
  nn::Dropout drop(0.25, gen);
  const Tensor x = ones({10000}, DType::float64);
  const auto kept = drop(x).to_vector();
  double zeros_seen = 0, total = 0;
  for (double v : kept) {
    zeros_seen += v == 0.0;
    total += v;
    CHECK((v == 0.0 || v == doctest::Approx(1.0 / 0.75)));
  }
  CHECK(zeros_seen / kept.size() == doctest::Approx(0.25).epsilon(0.1));
  CHECK(total / kept.size() == doctest::Approx(1.0).epsilon(0.05));
  // The gradient passes where a unit was kept, scaled alike, and is 0 elsewhere.
  const Tensor leaf = x.detach().requires_grad_();
  const Tensor weights = arange(0, 10000, 1, DType::float64);
  const Tensor y = drop(leaf);
  sum(y * weights).backward();
  CHECK(leaf.grad().to_vector() == (y * weights).to_vector());
  CHECK_THROWS_AS(drop(index_tensor({1, 2})), DTypeError);
  for (double v : drop(full({64}, INFINITY, DType::float64)).to_vector()) {
    CHECK((std::isnan(v) || v == INFINITY));  // x times the mask, as in PyTorch
  }
  drop.eval();
  CHECK(drop(x).to_vector() == x.to_vector());
}

TEST_CASE("dropout keeps a unit exactly when T(uniform()) < 1 - p, as documented") {
  for (DType dtype : {DType::float32, DType::float64}) {
    for (double p : {0.5, 0.1, 0.3, 1e-9, 1 - 1e-9, 0.999999}) {
      Generator a(11), b(11);
      const auto mask = nn::dropout(ones({4000}, dtype), p, true, a).to_vector();
      for (double m : mask) {
        const double u = b.uniform();
        const bool kept =
            dtype == DType::float32 ? static_cast<float>(u) < static_cast<float>(1 - p) : u < 1 - p;
        REQUIRE((m != 0.0) == kept);
      }
    }
  }
}

TEST_CASE("LayerNorm normalises the last dim and differentiates") {
  nn::LayerNorm norm(4, 1e-5, true, DType::float64);
  const Tensor x = Tensor::from({{1.0, 2.0, 3.0, 4.0}, {-1.0, 0.0, 5.0, 2.0}});
  const Tensor y = norm(x);
  CHECK(mean(y, {1}).to_vector()[0] == doctest::Approx(0.0));
  CHECK(mean(y * y, {1}).to_vector()[1] == doctest::Approx(1.0).epsilon(1e-4));
  const GradcheckResult r =
      gradcheck([&](const Args& a) { return norm(a[0]); }, {x.detach().requires_grad_()});
  CHECK(r.ok);
}

namespace {

// XOR with a 2-2-1 sigmoid network; returns the final loss. A 2-2-1 net has
// plateaus (loss ln2/2 or ~0.48, one or two points at 0.5) that some
// initialisations fall into; seed 10 is one where every optimizer below
// escapes them (of seeds 1-40, 5 work for all; the rest strand at least one).
double train_xor(const std::function<std::unique_ptr<optim::Optimizer>(std::vector<Tensor>)>& make,
                 int epochs) {
  manual_seed(10);
  auto net = nn::MLP({2, 2, 1}, "sigmoid", "sigmoid", true, DType::float64);
  const Tensor x = Tensor::from({{0.0, 0.0}, {0.0, 1.0}, {1.0, 0.0}, {1.0, 1.0}});
  const Tensor y = Tensor::from({{0.0}, {1.0}, {1.0}, {0.0}});
  auto opt = make(net->parameters());
  double loss_value = 0;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    opt->zero_grad();
    const Tensor loss = nn::binary_cross_entropy((*net)(x), y);
    loss.backward();
    opt->step();
    loss_value = loss.item();
  }
  return loss_value;
}

}  // namespace

TEST_CASE("XOR: a 2-2-1 sigmoid network learns it with every optimizer") {
  using P = std::vector<Tensor>;
  CHECK(train_xor(
            [](P p) {
              return std::make_unique<optim::SGD>(p, optim::SGDOptions{.lr = 5.0, .momentum = 0.9});
            },
            3000) < 0.05);
  CHECK(train_xor(
            [](P p) {
              return std::make_unique<optim::SGD>(
                  p, optim::SGDOptions{.lr = 2.0, .momentum = 0.9, .nesterov = true});
            },
            3000) < 0.05);
  CHECK(
      train_xor([](P p) { return std::make_unique<optim::Adam>(p, optim::AdamOptions{.lr = 0.1}); },
                3000) < 0.05);
  CHECK(train_xor(
            [](P p) {
              return std::make_unique<optim::AdamW>(
                  p, optim::AdamOptions{.lr = 0.1, .weight_decay = 1e-4});
            },
            3000) < 0.05);
  CHECK(train_xor(
            [](P p) {
              return std::make_unique<optim::RMSprop>(p, optim::RMSpropOptions{.lr = 0.05});
            },
            3000) < 0.05);
  CHECK(
      train_xor(
          [](P p) { return std::make_unique<optim::Adagrad>(p, optim::AdagradOptions{.lr = 1.0}); },
          3000) < 0.05);
  CHECK(train_xor(
            [](P p) {
              return std::make_unique<optim::Adadelta>(p, optim::AdadeltaOptions{.lr = 10.0});
            },
            3000) < 0.05);
}

TEST_CASE("two moons: an MLP reaches 100% training accuracy") {
  std::vector<double> points, labels;
  for (int k = 0; k < 100; ++k) {
    const double t = std::numbers::pi * (k / 2) / 49.0;
    const bool odd = k % 2;
    points.push_back(odd ? 1 - std::cos(t) : std::cos(t));
    points.push_back(odd ? 0.5 - std::sin(t) : std::sin(t));
    labels.push_back(odd ? 1.0 : 0.0);
  }
  const Tensor x = Tensor::from(points, {100, 2}), y = Tensor::from(labels, {100, 1});
  manual_seed(7);
  auto net = nn::MLP({2, 16, 16, 1}, "relu", "identity", true, DType::float64);
  optim::Adam opt(net->parameters(), {.lr = 0.02});
  for (int epoch = 0; epoch < 500; ++epoch) {
    opt.zero_grad();
    nn::binary_cross_entropy_with_logits((*net)(x), y).backward();
    opt.step();
  }
  const auto scores = (*net)(x).to_vector();
  int correct = 0;
  for (int i = 0; i < 100; ++i) correct += (scores[i] > 0) == (labels[i] > 0.5);
  CHECK(correct == 100);
}

TEST_CASE("the lecture's 2-2-1 network with nn layers gives the scalar version's numbers") {
  nn::Linear hidden(2, 2, false, DType::float64), out(2, 1, false, DType::float64);
  hidden.weight.assign(Tensor::from({{0.1, 0.2}, {0.3, 0.4}}));
  out.weight.assign(Tensor::from({{0.5, 0.6}}));
  nn::Sequential net(
      {std::shared_ptr<nn::Module>(&hidden, [](nn::Module*) {}), std::make_shared<nn::Sigmoid>(),
       std::shared_ptr<nn::Module>(&out, [](nn::Module*) {}), std::make_shared<nn::Sigmoid>()});
  const Tensor x = Tensor::from({{1.0, 0.5}});
  const Tensor c = net(x);
  const Tensor loss = nn::binary_cross_entropy(c, Tensor::from({{1.0}}));
  loss.backward();
  // The scalar engine's values for the same network (examples/lecture).
  Scalar w11(0.1), w12(0.2), w21(0.3), w22(0.4), u1(0.5), u2(0.6);
  const Scalar a1 = (w11 * 1.0 + w12 * 0.5).sigmoid(), a2 = (w21 * 1.0 + w22 * 0.5).sigmoid();
  const Scalar cs = (u1 * a1 + u2 * a2).sigmoid();
  Scalar ls = -cs.log();
  ls.backward();
  CHECK(c.item() == doctest::Approx(cs.value()).epsilon(1e-14));
  CHECK(loss.item() == doctest::Approx(ls.value()).epsilon(1e-14));
  CHECK(out.weight.grad().at({0, 0}) == doctest::Approx(u1.grad()).epsilon(1e-12));
  CHECK(out.weight.grad().at({0, 1}) == doctest::Approx(u2.grad()).epsilon(1e-12));
  CHECK(hidden.weight.grad().at({0, 0}) == doctest::Approx(w11.grad()).epsilon(1e-12));
  CHECK(hidden.weight.grad().at({1, 1}) == doctest::Approx(w22.grad()).epsilon(1e-12));
}

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

TEST_CASE("checkpoints round-trip bit for bit and training continues identically") {
  Trained a = make_trained(5);
  a.steps(10);
  const std::string path = temp_path("autograd-ckpt.bin");
  nn::save_checkpoint(path, *a.net, a.opt.get());
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  Trained b = make_trained(6);  // different weights
  b.x = a.x;
  b.y = a.y;
  nn::load_checkpoint(path, *b.net, b.opt.get());
  CHECK(values(*a.net) == values(*b.net));
  a.steps(5);
  b.steps(5);
  CHECK(values(*a.net) == values(*b.net));
  std::filesystem::remove(path);
}

TEST_CASE("hostile checkpoint contents found by fuzzing are clean errors") {
  // tests/fuzz/checkpoint_fuzz found both: a bool byte other than 0/1 (an
  // invalid bool when read), and a step count no int64 can hold (UB on cast).
  std::string bytes;
  {
    const std::string path = temp_path("autograd-ckpt-bool.bin");
    nn::save_tensors({{"mask", gt(ones({3}), 0.0)}}, path);
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
    std::filesystem::remove(path);
  }
  std::string body = bytes.substr(0, bytes.size() - 8);
  CHECK(nn::parse_tensors(bytes, "ok")[0].second.to_vector() == std::vector<double>{1, 1, 1});
  body[body.size() - 2] = 5;
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a, as the format says
  for (unsigned char c : body) h = (h ^ c) * 0x100000001b3ULL;
  const std::string rehashed = body + std::string(reinterpret_cast<const char*>(&h), 8);
  CHECK_THROWS_WITH_AS(nn::parse_tensors(rehashed, "bad"), doctest::Contains("byte 5 (not 0 or 1)"),
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
    nn::save_tensors(entries, path);
    CHECK_THROWS_WITH_AS(nn::load_checkpoint(path, *a.net, a.opt.get()),
                         doctest::Contains("is not a step count"), FileError);
    CHECK(values(*a.net) == before);
    std::filesystem::remove(path);
  }
}

TEST_CASE("bad checkpoints throw a clear error and change nothing") {
  Trained a = make_trained(5);
  a.steps(3);
  const std::string path = temp_path("autograd-ckpt-good.bin");
  nn::save_checkpoint(path, *a.net, a.opt.get());
  std::ifstream in(path, std::ios::binary);
  const std::string good{std::istreambuf_iterator<char>(in), {}};

  Trained b = make_trained(9);
  const auto before = values(*b.net);
  const auto state_before = b.opt->state_dict().size();
  auto try_bytes = [&](const std::string& bytes, const char* expected) {
    const std::string bad = temp_path("autograd-ckpt-bad.bin");
    std::ofstream(bad, std::ios::binary) << bytes;
    CHECK_THROWS_AS(nn::load_checkpoint(bad, *b.net, b.opt.get()), FileError);
    CHECK_THROWS_WITH(nn::load_checkpoint(bad, *b.net, b.opt.get()), doctest::Contains(expected));
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
      nn::load_checkpoint(path, *other),
      doctest::Contains("'0.weight' is float64 [4, 3] in the file but float64 [5, 3]"));
  CHECK(values(*other) == other_before);
  CHECK_THROWS_WITH(nn::load_checkpoint(temp_path("no-such-checkpoint.bin"), *b.net),
                    doctest::Contains("cannot open"));
  std::filesystem::remove(path);
}

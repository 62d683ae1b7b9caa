// SPDX-License-Identifier: MIT
// `mlp_trainer`: an MLP learns three interleaved spirals, alone or as
// several processes under `mpirun -np N mlp_trainer` (ag::dist, data
// parallel): each rank trains on its shard of every epoch, gradients are
// averaged during backward, rank 0 logs and writes a checkpoint after each
// epoch, and `--resume` continues from that checkpoint (on any number of
// ranks). The final line is a digest of the parameters: a run resumed after
// a crash ends with the digest of a run that never stopped.
//
//   mlp_trainer [--epochs 30] [--batch 64] [--lr 0.01] [--seed 1]
//               [--checkpoint mlp.ckpt] [--resume]
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <numbers>
#include <string>
#include <vector>

#include "autograd/nn/dist/dist.hpp"
#include "autograd/nn/nn.hpp"
#include "flags.hpp"

namespace {

struct Options {
  std::int64_t epochs = 30, batch = 64;  // batch: over all ranks together
  double lr = 0.01;
  std::uint64_t seed = 1;
  std::string checkpoint = "mlp.ckpt";
  bool resume = false;
};

// The flags, checked as every example's are (examples/flags.hpp): a bad
// value names its flag and exits with status 2. --resume takes no value.
Options parse(int argc, char** argv) {
  Options o;
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--resume") {
      o.resume = true;
    } else {
      rest.push_back(argv[i]);
    }
  }
  examples::Flags flags(static_cast<int>(rest.size()), rest.data(), "mlp_trainer");
  const std::int64_t ranks = ag::dist::world_size();
  o.epochs = flags.count("--epochs", o.epochs, 1);
  o.batch = flags.count("--batch", o.batch, ranks);
  o.lr = flags.number("--lr", o.lr, 0);
  o.seed = static_cast<std::uint64_t>(flags.count("--seed", 1, 0));
  o.checkpoint = flags.text("--checkpoint", o.checkpoint);
  flags.done();
  if (o.batch % ranks != 0) {
    flags.error(fmt::format("--batch {} must divide among {} ranks", o.batch, ranks));
  }
  return o;
}

// Three spirals of 1,000 noisy points each: x (3000, 2), labels (3000).
std::pair<ag::Tensor, ag::Tensor> spirals(std::uint64_t seed) {
  constexpr std::int64_t kPerClass = 1000, kClasses = 3;
  ag::Generator gen(seed);
  std::vector<double> points;
  std::vector<std::int64_t> labels;
  for (std::int64_t c = 0; c < kClasses; ++c) {
    for (std::int64_t i = 0; i < kPerClass; ++i) {
      const double r = static_cast<double>(i) / kPerClass;
      const double angle = 4 * r + 2 * std::numbers::pi * c / kClasses + 0.2 * gen.normal();
      points.push_back(r * std::cos(angle));
      points.push_back(r * std::sin(angle));
      labels.push_back(c);
    }
  }
  const std::int64_t n = kPerClass * kClasses;
  return {ag::Tensor::from(points, {n, 2}).to(ag::DType::float32), ag::Tensor::from(labels, {n})};
}

// FNV-1a over every parameter's bytes.
std::uint64_t digest(const ag::nn::Module& model) {
  std::uint64_t h = 14695981039346656037ull;
  for (const ag::Tensor& p : model.parameters()) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(p.data<float>());
    for (std::size_t i = 0; i < static_cast<std::size_t>(p.numel()) * sizeof(float); ++i) {
      h = (h ^ bytes[i]) * 1099511628211ull;
    }
  }
  return h;
}

int train(const Options& o) {
  const bool main_rank = ag::dist::is_main();
  const auto [x, y] = spirals(o.seed);
  ag::Generator init(o.seed);
  auto model = ag::nn::MLP({2, 128, 128, 3}, "relu", "identity", true, ag::DType::float32, init);
  ag::dist::DistributedDataParallel ddp(*model);  // rank 0's initial weights everywhere
  ag::optim::Adam adam(model->parameters(), {.lr = o.lr});
  ag::optim::CosineAnnealingLR schedule(adam, o.epochs);
  if (o.resume && std::filesystem::exists(o.checkpoint)) {
    ag::dist::load_checkpoint(o.checkpoint, *model, &adam, &schedule);
    if (main_rank) {
      fmt::print("resumed from {} after epoch {}\n", o.checkpoint, schedule.last_epoch());
    }
  }
  const std::int64_t per_rank = o.batch / ag::dist::world_size();
  for (std::int64_t epoch = schedule.last_epoch(); epoch < o.epochs; ++epoch) {
    const std::vector<std::int64_t> mine = ag::dist::shard(x.shape()[0], o.seed, epoch);
    double loss_sum = 0, correct = 0;
    const auto rows = static_cast<std::int64_t>(mine.size());
    for (std::int64_t start = 0; start + per_rank <= rows; start += per_rank) {
      const ag::Tensor index = ag::Tensor::from(
          std::vector<std::int64_t>(mine.begin() + start, mine.begin() + start + per_rank),
          {per_rank});
      const ag::Tensor logits = (*model)(ag::index_select(x, 0, index));
      const ag::Tensor target = ag::index_select(y, 0, index);
      const ag::Tensor loss = ag::nn::cross_entropy(logits, target);
      adam.zero_grad();
      loss.backward();
      ddp.synchronize();  // the gradients are now the means over the ranks
      adam.step();
      loss_sum += loss.item() * static_cast<double>(per_rank);
      correct += ag::sum(ag::eq(ag::argmax(logits, 1), target).to(ag::DType::float32)).item();
    }
    schedule.step();
    // Metrics over every rank's examples; rank 0 logs and saves.
    const double seen = ag::dist::average(static_cast<double>(rows / per_rank * per_rank));
    const double loss = ag::dist::average(loss_sum) / seen;
    const double accuracy = ag::dist::average(correct) / seen;
    if (main_rank) {
      fmt::print("epoch {:3}  loss {:.4f}  accuracy {:.2f}%  lr {:.5f}\n", epoch + 1, loss,
                 100 * accuracy, adam.lr());
      std::fflush(stdout);
      ag::io::save_checkpoint(o.checkpoint, *model, &adam, &schedule);
    }
  }
  if (main_rank) {
    fmt::print("world size {}, parameters digest {:016x}\n", ag::dist::world_size(),
               digest(*model));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ag::dist::Environment mpi(argc, argv);
  return ag::dist::run([&] { return train(parse(argc, argv)); });
}

// SPDX-License-Identifier: MIT
// ag::dist under mpirun (driven by run_mpi.sh). "equivalence": N ranks with
// batch B end with the parameters of one process with batch N·B (1e-12,
// float64), their shards are disjoint and cover the data, metrics average,
// differing models are an error on every rank; prints a digest of the
// final parameters for the determinism check. "fault": rank 1 throws.
#include <mpi.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "autograd/nn/distributed.hpp"
#include "autograd/nn/nn.hpp"

using namespace ag;

namespace {
constexpr std::int64_t kExamples = 24;

std::shared_ptr<nn::Sequential> model(std::uint64_t seed) {
  Generator gen(seed);
  return nn::MLP({3, 8, 2}, "tanh", "identity", true, DType::float64, gen);
}

// Steps of Adam on rows [begin, end) of (x, y); with `dist`, gradients are averaged first.
void train(nn::Module& net, const Tensor& x, const Tensor& y, std::int64_t begin, std::int64_t end,
           bool distributed) {
  optim::Adam adam(net.parameters(), {.lr = 0.05});
  for (int step = 0; step < 5; ++step) {
    adam.zero_grad();
    nn::cross_entropy(net(slice(x, 0, begin, end)), slice(y, 0, begin, end)).backward();
    if (distributed) dist::average_gradients(net, 64);  // small buckets: several allreduces
    adam.step();
  }
}

int equivalence() {
  const int rank = dist::rank(), world = dist::world_size();
  Generator data(11);
  const Tensor x = randn({kExamples, 3}, data, DType::float64);
  std::vector<std::int64_t> labels;
  for (std::int64_t i = 0; i < kExamples; ++i) labels.push_back(i % 3 == 0 ? 1 : 0);
  const Tensor y = Tensor::from(labels, {kExamples});

  auto reference = model(1);  // one process, the whole batch
  train(*reference, x, y, 0, kExamples, false);
  auto net = model(1 + static_cast<std::uint64_t>(rank));  // differs until broadcast
  dist::broadcast_parameters(*net);
  const std::int64_t per_rank = kExamples / world;
  train(*net, x, y, rank * per_rank, (rank + 1) * per_rank, true);
  double worst = 0;
  const auto ours = net->parameters(), want = reference->parameters();
  std::string digest;
  for (std::size_t k = 0; k < ours.size(); ++k) {
    const auto a = ours[k].to_vector(), b = want[k].to_vector();
    for (std::size_t i = 0; i < a.size(); ++i) {
      worst = std::max(worst, std::fabs(a[i] - b[i]));
      digest += fmt::format("{:a} ", a[i]);
    }
  }
  std::printf("rank %d of %d: worst difference from one process %.3g\n", rank, world, worst);
  if (!(worst <= 1e-12)) return 1;
  if (rank == 0) std::printf("digest %zu\n", std::hash<std::string>{}(digest));

  // Shards: disjoint, covering all but the remainder, the same on every rank.
  const auto mine = dist::shard(10, 7, 3);
  std::vector<std::int64_t> all(static_cast<std::size_t>(10 / world * world));
  MPI_Allgather(mine.data(), static_cast<int>(mine.size()), MPI_INT64_T, all.data(),
                static_cast<int>(mine.size()), MPI_INT64_T, MPI_COMM_WORLD);
  std::sort(all.begin(), all.end());
  if (std::adjacent_find(all.begin(), all.end()) != all.end()) return 1;
  if (dist::shard(10, 7, 4) == mine && world < 10) std::printf("note: epochs 3 and 4 agree\n");
  if (dist::average(rank) != (world - 1) / 2.0) return 1;

  // Models that differ: the same ValueError on every rank, naming rank 1.
  nn::Linear odd(3, rank == 1 ? 5 : 4);
  try {
    dist::broadcast_parameters(odd);
    return 1;
  } catch (const ValueError& e) {
    if (!std::strstr(e.what(), "rank 1 has")) return 1;
    if (rank == 0) std::printf("mismatch: %s\n", e.what());
  }
  return 0;
}

int fault() {
  if (dist::rank() == 1) throw ValueError("rank 1 fails on purpose");
  dist::average(1.0);  // the others wait on rank 1 here: MPI_Abort must end them
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  dist::Environment mpi(argc, argv);
  const std::string mode = argc > 1 ? argv[1] : "";
  return dist::run([&] { return mode == "fault" ? fault() : equivalence(); });
}

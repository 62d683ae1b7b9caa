// SPDX-License-Identifier: MIT
// ag::dist under mpirun (driven by run_mpi.sh). "equivalence": N ranks with
// batch B end with the parameters of one process with batch N·B (1e-12,
// float64), their shards are disjoint and cover the data, metrics average,
// differing models are an error on every rank, sparse embedding gradients
// average as one process's; prints a digest of the final parameters for the
// determinism check. "fault": rank 1 throws. "solo": one process, DDP costs
// nothing.
#include <mpi.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "autograd/nn/dist/dist.hpp"
#include "autograd/nn/nn.hpp"

using namespace ag;

namespace {
constexpr std::int64_t kExamples = 24;

std::shared_ptr<nn::Sequential> model(std::uint64_t seed) {
  Generator gen(seed);
  return nn::MLP({3, 8, 2}, "tanh", "identity", true, DType::float64, gen);
}

// during_backward: DistributedDataParallel with its communication thread;
// in_hook: the same with each allreduce run where it starts.
enum class Sync { none, after_backward, during_backward, in_hook };

// Rows `rows` of (x, y), for the loss of one micro-batch.
Tensor loss_of(nn::Module& net, const Tensor& x, const Tensor& y,
               const std::vector<std::int64_t>& rows) {
  const Tensor index = Tensor::from(rows, {static_cast<std::int64_t>(rows.size())});
  return nn::cross_entropy(net(index_select(x, 0, index)), index_select(y, 0, index));
}

// Five Adam steps, each accumulating the gradients of the micro-batches
// `parts` (all but the last under no_sync when syncing during backward).
void train(nn::Module& net, const Tensor& x, const Tensor& y,
           const std::vector<std::vector<std::int64_t>>& parts, Sync sync) {
  std::unique_ptr<dist::DistributedDataParallel> ddp;
  if (sync == Sync::during_backward || sync == Sync::in_hook) {  // small buckets: several
    ddp = std::make_unique<dist::DistributedDataParallel>(
        net, dist::DDPOptions{.bucket_bytes = 64,
                              .first_bucket_bytes = 64,
                              .communication_thread = sync == Sync::during_backward});
  }
  optim::Adam adam(net.parameters(), {.lr = 0.05});
  for (int step = 0; step < 5; ++step) {
    adam.zero_grad();
    for (std::size_t p = 0; p < parts.size(); ++p) {
      if (ddp && p + 1 < parts.size()) {
        const auto local = ddp->no_sync();
        loss_of(net, x, y, parts[p]).backward();
      } else {
        loss_of(net, x, y, parts[p]).backward();
      }
    }
    if (sync == Sync::after_backward) dist::average_gradients(net, 64);
    if (ddp) ddp->synchronize();
    adam.step();
  }
  if (ddp && ddp->started_early() == 0) {
    detail::fail<ValueError>("no allreduce overlapped backward");
  }
  // DDP works through each parameter's public post-accumulate-grad hook,
  // and takes it away with it.
  if (ddp && !detail::hooks_of(net.parameters()[0].node())) {
    detail::fail<ValueError>("DistributedDataParallel hooked no parameter");
  }
  ddp.reset();
  for (const Tensor& p : net.parameters()) {
    if (detail::hooks_of(p.node())) detail::fail<ValueError>("a hook outlived its DDP");
  }
}

// One process (MPI's singleton start): DDP hooks nothing, and training with
// it gives plain training's bits.
int solo() {
  if (dist::world_size() != 1) detail::fail<ValueError>("solo runs as one process");
  auto net = model(1), plain = model(1);
  dist::DistributedDataParallel ddp(*net);
  for (const Tensor& p : net->parameters()) {
    if (detail::hooks_of(p.node())) detail::fail<ValueError>("DDP hooked a parameter of one rank");
  }
  Generator gen(5);
  const Tensor x = randn({kExamples, 3}, gen, DType::float64);
  const Tensor y = randint(0, 2, {kExamples}, gen);
  const std::vector<std::int64_t> all = [] {
    std::vector<std::int64_t> rows;
    for (std::int64_t i = 0; i < kExamples; ++i) rows.push_back(i);
    return rows;
  }();
  for (nn::Module* m :
       {static_cast<nn::Module*>(net.get()), static_cast<nn::Module*>(plain.get())}) {
    loss_of(*m, x, y, all).backward();
  }
  ddp.synchronize();
  const auto a = net->parameters(), b = plain->parameters();
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (a[k].grad().to_vector() != b[k].grad().to_vector()) {
      detail::fail<ValueError>("DDP on one rank changed gradient {}", k);
    }
  }
  std::printf("solo: one rank, no hooks, plain training's gradients\n");
  return 0;
}

std::vector<std::int64_t> range(std::int64_t begin, std::int64_t end) {
  std::vector<std::int64_t> out;
  for (std::int64_t i = begin; i < end; ++i) out.push_back(i);
  return out;
}

// The worst difference between two models' parameters; appends a digest of the first's.
double compare(nn::Module& ours, nn::Module& reference, std::string* digest) {
  double worst = 0;
  const auto mine = ours.parameters(), want = reference.parameters();
  for (std::size_t k = 0; k < mine.size(); ++k) {
    const auto a = mine[k].to_vector(), b = want[k].to_vector();
    for (std::size_t i = 0; i < a.size(); ++i) {
      worst = std::max(worst, std::fabs(a[i] - b[i]));
      *digest += fmt::format("{:a} ", a[i]);
    }
  }
  return worst;
}

// A bag of words: a sparse EmbeddingBag (row-sparse gradients, SparseAdam)
// and a Linear layer (Adam), five steps on `rows` of (words, y); with `ddp`
// or `after` the ranks average as they go.
enum class SparseSync { none, ddp, after };
void train_sparse(nn::Sequential& net, const Tensor& words, const Tensor& y,
                  const std::vector<std::int64_t>& rows, SparseSync sync) {
  std::unique_ptr<dist::DistributedDataParallel> ddp;
  if (sync == SparseSync::ddp)
    ddp = std::make_unique<dist::DistributedDataParallel>(
        net, dist::DDPOptions{.bucket_bytes = 64, .first_bucket_bytes = 64});
  auto& bag = static_cast<nn::EmbeddingBag&>(net[0]);
  auto& out = static_cast<nn::Linear&>(net[1]);
  optim::SparseAdam sparse({bag.weight}, {.lr = 0.1});
  optim::Adam dense(out.parameters(), {.lr = 0.05});
  const Tensor index = Tensor::from(rows, {static_cast<std::int64_t>(rows.size())});
  for (int step = 0; step < 5; ++step) {
    sparse.zero_grad();
    dense.zero_grad();
    nn::cross_entropy(net(index_select(words, 0, index)), index_select(y, 0, index)).backward();
    if (ddp) ddp->synchronize();
    if (sync == SparseSync::after) dist::average_gradients(net);
    sparse.step();
    dense.step();
  }
}

std::shared_ptr<nn::Sequential> bag_model(std::uint64_t seed) {
  Generator gen(seed);
  return std::make_shared<nn::Sequential>(
      nn::EmbeddingBag(30, 4, nn::EmbeddingBag::Mode::mean, /*sparse=*/true, DType::float64, gen),
      nn::Linear(4, 2, true, DType::float64, gen));
}

// Sparse embedding gradients: gathered rows give one process's parameters.
double sparse_equivalence(std::string* digest) {
  const int rank = dist::rank(), world = dist::world_size();
  Generator data(5);
  const Tensor words = randint(0, 30, {kExamples, 3}, data);
  std::vector<std::int64_t> labels;
  for (std::int64_t i = 0; i < kExamples; ++i) labels.push_back(i % 2);
  const Tensor y = Tensor::from(labels, {kExamples});
  const std::int64_t per_rank = kExamples / world;
  auto reference = bag_model(1);
  train_sparse(*reference, words, y, range(0, world * per_rank), SparseSync::none);
  double worst = 0;
  for (SparseSync sync : {SparseSync::ddp, SparseSync::after}) {
    auto net = bag_model(1 + static_cast<std::uint64_t>(rank));
    dist::broadcast_parameters(*net);
    train_sparse(*net, words, y, range(rank * per_rank, (rank + 1) * per_rank), sync);
    worst = std::max(worst, compare(*net, *reference, digest));
  }
  return worst;
}

int equivalence() {
  const int rank = dist::rank(), world = dist::world_size();
  Generator data(11);
  const Tensor x = randn({kExamples, 3}, data, DType::float64);
  std::vector<std::int64_t> labels;
  for (std::int64_t i = 0; i < kExamples; ++i) labels.push_back(i % 3 == 0 ? 1 : 0);
  const Tensor y = Tensor::from(labels, {kExamples});

  // After backward: rank r's rows against one process's whole batch.
  const std::int64_t per_rank = kExamples / world, half = per_rank / 2;
  auto reference = model(1);
  train(*reference, x, y, {range(0, world * per_rank)}, Sync::none);
  auto net = model(1 + static_cast<std::uint64_t>(rank));  // differs until broadcast
  dist::broadcast_parameters(*net);
  train(*net, x, y, {range(rank * per_rank, (rank + 1) * per_rank)}, Sync::after_backward);
  std::string digest;
  const double after = compare(*net, *reference, &digest);
  // During backward, two micro-batches accumulated (the first under no_sync)
  // against one process accumulating the same two halves of every rank's rows.
  std::vector<std::int64_t> firsts, seconds;
  for (std::int64_t r = 0; r < world; ++r) {
    for (std::int64_t i : range(r * per_rank, r * per_rank + half)) firsts.push_back(i);
    for (std::int64_t i : range(r * per_rank + half, (r + 1) * per_rank)) seconds.push_back(i);
  }
  auto accumulated = model(1);
  train(*accumulated, x, y, {firsts, seconds}, Sync::none);
  double during = 0;
  for (Sync sync : {Sync::during_backward, Sync::in_hook}) {
    auto overlapped = model(1 + static_cast<std::uint64_t>(rank));  // DDP broadcasts it
    train(*overlapped, x, y,
          {range(rank * per_rank, rank * per_rank + half),
           range(rank * per_rank + half, (rank + 1) * per_rank)},
          sync);
    during = std::max(during, compare(*overlapped, *accumulated, &digest));
  }
  const double sparse = sparse_equivalence(&digest);
  std::printf(
      "rank %d of %d: worst difference from one process %.3g (after backward), %.3g "
      "(during backward, no_sync accumulation), %.3g (sparse embedding)\n",
      rank, world, after, during, sparse);
  if (!(after <= 1e-12 && during <= 1e-12 && sparse <= 1e-12)) return 1;
  // Every rank ends with the same bits (the optimizers saw the same means).
  const std::size_t hash = std::hash<std::string>{}(digest);
  std::size_t lowest = 0, highest = 0;
  MPI_Allreduce(&hash, &lowest, 1, MPI_UINT64_T, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(&hash, &highest, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
  if (lowest != highest) {
    std::printf("rank %d: parameters differ between ranks\n", rank);
    return 1;
  }
  if (rank == 0) std::printf("digest %zu\n", hash);

  // Shards: disjoint, covering all but the remainder, the same on every rank.
  const auto mine = dist::shard(10, 7, 3);
  std::vector<std::int64_t> all(static_cast<std::size_t>(10 / world * world));
  MPI_Allgather(mine.data(), static_cast<int>(mine.size()), MPI_INT64_T, all.data(),
                static_cast<int>(mine.size()), MPI_INT64_T, MPI_COMM_WORLD);
  std::sort(all.begin(), all.end());
  if (std::adjacent_find(all.begin(), all.end()) != all.end()) return 1;
  if (dist::shard(10, 7, 4) == mine && world < 10) std::printf("note: epochs 3 and 4 agree\n");
  // shard_sampler in a DataLoader: epoch 3 of the loader is shard(10, 7, 3).
  nn::DataLoader loader({arange(0, 10, 1, DType::float64)}, 2,
                        {.sampler = dist::shard_sampler(10, 7)});
  for (int epoch = 0; epoch < 3; ++epoch) (void)loader.begin();
  std::vector<std::int64_t> from_loader;
  for (const auto& batch : loader) {
    for (double v : batch[0].to_vector()) from_loader.push_back(static_cast<std::int64_t>(v));
  }
  if (from_loader != mine) return 1;
  if (dist::average(rank) != (world - 1) / 2.0) return 1;

  // Two backward passes without synchronize() between them: an error, not
  // a race with the allreduce reading the first one's gradients.
  {
    auto twice = model(1);
    dist::DistributedDataParallel ddp(*twice, {.bucket_bytes = 64, .first_bucket_bytes = 64});
    loss_of(*twice, x, y, range(0, 4)).backward();
    bool refused = false;
    try {
      loss_of(*twice, x, y, range(0, 4)).backward();
    } catch (const GraphError& e) {
      refused = std::strstr(e.what(), "call synchronize()") != nullptr;
    }
    ddp.synchronize();
    if (!refused) return 1;
  }

  // A checkpoint rank 0 cannot read: the same FileError on every rank.
  try {
    dist::load_checkpoint("/nonexistent/model.ckpt", *net);
    return 1;
  } catch (const FileError& e) {
    if (!std::strstr(e.what(), "/nonexistent/model.ckpt")) return 1;
  }

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
  return dist::run([&] {
    return mode == "fault" ? fault() : mode == "solo" ? solo() : equivalence();
  });
}

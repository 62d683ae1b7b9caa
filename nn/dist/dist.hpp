// SPDX-License-Identifier: MIT
// Data-parallel training over MPI (ag::dist, the autograd_dist library,
// built when an MPI implementation is found): every rank holds the whole
// model, trains on its own shard of each batch, and averages gradients
// with the others before each optimizer step. Run under `mpirun -np N`.
//
// DistributedDataParallel averages them during backward, each bucket's
// allreduce starting as soon as its last gradient is final (each
// parameter's post-accumulate-grad hook), as PyTorch's DDP does; average_gradients does it after
// backward. Row-sparse gradients (nn::Embedding or nn::EmbeddingBag with
// sparse = true) are gathered instead: every rank gets every rank's rows.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "autograd/nn/module.hpp"
#include "autograd/nn/optim/optimizer.hpp"
#include "autograd/nn/optim/scheduler.hpp"

namespace ag::dist {

/// Starts MPI for the program's lifetime (MPI_Init_thread, multiple) and
/// finalizes it when destroyed. One per process, before any other call here.
class Environment {
 public:
  /// MPI_Init_thread with the program's arguments (MPI may remove its own).
  Environment(int& argc, char**& argv);
  /// MPI_Finalize.
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;
};

/// This process's rank in MPI_COMM_WORLD, and how many there are.
///@{
int rank();
int world_size();
///@}
/// Whether this is rank 0, the one that logs and writes checkpoints.
inline bool is_main() { return rank() == 0; }

/// Runs `body`; an exception escaping it on any rank prints "rank R: what"
/// and aborts every rank (MPI_Abort), so no rank waits forever on a peer
/// that died. Returns body's result.
int run(const std::function<int()>& body);

/// Checks that every rank's `model` has the same parameter and buffer
/// names, dtypes and shapes (ValueError on every rank, naming the first
/// difference and the rank that has it; never a hang), then copies rank 0's
/// values into every rank's.
void broadcast_parameters(nn::Module& model);

/// Replaces every parameter's gradient by its mean over the ranks, summed
/// in buckets of about `bucket_bytes` per allreduce. A parameter with no
/// gradient on every rank stays without one; one missing on some ranks
/// counts as zeros there. The row-sparse gradient of a sparse Embedding or
/// EmbeddingBag's weight becomes every rank's rows (MPI_Allgatherv, in rank
/// order), each value divided by the world size: the same mean, sent as
/// the rows a batch touched rather than the whole table. A sparse gradient
/// on any other parameter is a ValueError (the ranks could not agree on
/// how to send it).
void average_gradients(nn::Module& model, std::size_t bucket_bytes = 25u << 20);

/// How DistributedDataParallel groups and sends gradients.
struct DDPOptions {
  /// About how many bytes of gradients one allreduce sends.
  std::size_t bucket_bytes = 25u << 20;
  /// The first bucket's size (the last layers' gradients, final first): as
  /// PyTorch, small, so that communication starts early in backward.
  std::size_t first_bucket_bytes = 1u << 20;
  /// Run each bucket's allreduce on a communication thread, overlapping
  /// the rest of backward (needs MPI_THREAD_MULTIPLE, which Environment
  /// asks for); otherwise the allreduce runs, blocking, where it starts.
  bool communication_thread = true;
};

/// Averages gradients across ranks while backward runs. Construction
/// broadcasts rank 0's parameters and buffers (broadcast_parameters) and
/// groups the parameters, last first, into buckets (DDPOptions); while the
/// object lives, backward sweeps on its thread are watched: when every
/// gradient of a bucket is final, its allreduce starts on the communication
/// thread (buckets in the same order on every rank), overlapping the rest
/// of backward. synchronize() waits for them and stores the averages; call
/// it between backward and the optimizer step. A parameter that got no
/// gradient on a rank counts as zeros there. Sparse embedding gradients are
/// gathered in synchronize() (see average_gradients). A second backward
/// before synchronize() (outside no_sync) is a GraphError.
///
///     ag::dist::DistributedDataParallel ddp(*model);
///     loss.backward();
///     ddp.synchronize();
///     adam.step();
class DistributedDataParallel {
 public:
  /// Watches `model`'s parameters; the model must outlive this object.
  explicit DistributedDataParallel(nn::Module& model, DDPOptions options = {});
  ~DistributedDataParallel();
  DistributedDataParallel(const DistributedDataParallel&) = delete;
  DistributedDataParallel& operator=(const DistributedDataParallel&) = delete;
  /// Waits for every bucket's allreduce (starting those not yet started)
  /// and replaces each gradient by the mean over the ranks.
  void synchronize();
  /// Within the returned scope, backward accumulates gradients locally and
  /// nothing is averaged (gradient accumulation); the next backward outside
  /// it averages what has accumulated.
  class NoSync {
   public:
    /// Stops syncing until destroyed.
    explicit NoSync(DistributedDataParallel& ddp) : ddp_(ddp) { ddp_.set_syncing(false); }
    ~NoSync() { ddp_.set_syncing(true); }
    NoSync(const NoSync&) = delete;
    NoSync& operator=(const NoSync&) = delete;

   private:
    DistributedDataParallel& ddp_;
  };
  /// `auto scope = ddp.no_sync();`
  NoSync no_sync() { return NoSync(*this); }
  /// How many allreduces started while backward was still running, over all
  /// synchronize() calls (how much communication overlapped).
  std::size_t started_early() const;

 private:
  void set_syncing(bool on);
  struct Impl;  // the gradient hooks, buckets and requests (gradients.cpp)
  std::unique_ptr<Impl> impl_;
};

/// Resumes every rank from the checkpoint rank 0 can read (checkpoints are
/// written by rank 0 only: `if (dist::is_main()) io::save_checkpoint(...)`):
/// rank 0 reads the file, every rank gets its bytes and restores them as
/// io::load_checkpoint does, so the other machines need no copy of it. An
/// error (missing, damaged, a different model) is the same FileError on
/// every rank, and leaves every rank's model and optimizer unchanged.
void load_checkpoint(const std::string& path, nn::Module& model,
                     optim::Optimizer* optimizer = nullptr, optim::Scheduler* scheduler = nullptr);

/// The mean of `value` over the ranks (metrics: loss, accuracy).
double average(double value);

/// This rank's share of `n` examples for `epoch`: a permutation of 0..n-1
/// drawn from (seed, epoch), identical on every rank, cut into world_size()
/// strided shards (rank r takes positions r, r + world, ...). With
/// drop_last the tail that does not divide evenly is dropped, so every
/// rank takes the same number of steps; otherwise the first ranks take one more.
std::vector<std::int64_t> shard(std::int64_t n, std::uint64_t seed, std::int64_t epoch,
                                bool drop_last = true);

/// shard() as an nn::DataLoader sampler: epoch e of the loader takes this
/// rank's shard of epoch e (torch's DistributedSampler).
///
///     ag::nn::DataLoader loader({x, y}, 32, {.sampler = ag::dist::shard_sampler(n, 1)});
std::function<std::vector<std::int64_t>(std::int64_t)> shard_sampler(std::int64_t n,
                                                                     std::uint64_t seed,
                                                                     bool drop_last = true);

}  // namespace ag::dist

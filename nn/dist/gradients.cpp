// SPDX-License-Identifier: MIT
// ag::dist's gradient averaging: buckets of dense gradients summed by
// allreduce (after backward, or during it from each parameter's
// post-accumulate-grad hook, on a communication thread), sparse embedding
// rows gathered.
#include <algorithm>
#include <limits>
#include <map>
#include <numeric>

#include "autograd/nn/dist/dist.hpp"
#include "autograd/nn/dist/mpi.hpp"
#include "autograd/nn/dist/worker.hpp"
#include "autograd/nn/layers.hpp"

namespace ag::dist {
using mpi::check;
namespace {

// Writes sums / world into p's gradient: in place when p has one (no fresh
// pages every step), else a new tensor. Returns the next sum to read.
template <class T>
const T* store_mean(Tensor& p, const T* sums, T world) {
  Tensor g = p.grad();
  const bool reuse = g.defined() && g.dtype() == p.dtype() && g.shape() == p.shape();
  if (!reuse) g = empty(p.shape(), p.dtype());
  T* out = g.data<T>();
  for (std::int64_t i = 0, n = p.numel(); i < n; ++i) out[i] = sums[i] / world;
  if (reuse) {
    g.mark_modified();
  } else {
    p.set_grad(g);
  }
  return sums + p.numel();
}

// Which of model.parameters() take row-sparse gradients: the weights of
// Embedding and EmbeddingBag modules made with sparse = true (as PyTorch's
// DDP decides), known the same way on every rank before any backward.
std::vector<bool> expects_sparse(const nn::Module& model, const std::vector<Tensor>& params) {
  std::vector<const void*> sparse_nodes;
  std::vector<const nn::Module*> pending{&model};
  while (!pending.empty()) {
    const nn::Module* m = pending.back();
    pending.pop_back();
    if (const auto* e = dynamic_cast<const nn::Embedding*>(m); e && e->sparse()) {
      sparse_nodes.push_back(e->weight.node());
    }
    if (const auto* e = dynamic_cast<const nn::EmbeddingBag*>(m); e && e->sparse()) {
      sparse_nodes.push_back(e->weight.node());
    }
    for (const auto& [name, child] : m->children()) pending.push_back(child.get());
  }
  std::vector<bool> sparse(params.size());
  for (std::size_t k = 0; k < params.size(); ++k) {
    sparse[k] =
        std::find(sparse_nodes.begin(), sparse_nodes.end(), params[k].node()) != sparse_nodes.end();
  }
  return sparse;
}

// Replaces p's row-sparse gradient by the mean over the ranks: every rank's
// rows, gathered (MPI_Allgatherv) in rank order, their values divided by the
// world size. Gathering sends only the rows a batch touched (a sentence
// batch touches a few hundred of a vocabulary's tens of thousands), where a
// dense allreduce would send the whole table every step.
void gather_sparse(Tensor& p) {
  if (p.grad().defined()) {
    ag::detail::fail<ValueError>(
        "dist: a sparse embedding's weight {} has a dense gradient (create_graph or "
        "ag::grad make one); data-parallel training averages only its row-sparse gradient",
        p.shape());
  }
  const SparseGrad& mine = p.sparse_grad();
  const int world = world_size();
  const std::int64_t count = mine.defined() ? mine.rows.numel() : 0;
  std::vector<std::int64_t> counts(static_cast<std::size_t>(world));
  check(MPI_Allgather(&count, 1, MPI_INT64_T, counts.data(), 1, MPI_INT64_T, MPI_COMM_WORLD),
        "MPI_Allgather");
  const std::int64_t width = p.shape()[1];
  const std::int64_t total = std::accumulate(counts.begin(), counts.end(), std::int64_t{0});
  if (total * width > std::numeric_limits<int>::max()) {
    ag::detail::fail<ValueError>(
        "dist: {} sparse gradient rows of width {} are too many for one "
        "MPI message",
        total, width);
  }
  if (total == 0) return;  // no rank touched the table: no gradient anywhere
  // Counts and offsets, in rows and in values.
  std::vector<int> row_counts, row_offsets, value_counts, value_offsets;
  std::int64_t offset = 0;
  for (std::int64_t c : counts) {
    row_counts.push_back(static_cast<int>(c));
    row_offsets.push_back(static_cast<int>(offset));
    value_counts.push_back(static_cast<int>(c * width));
    value_offsets.push_back(static_cast<int>(offset * width));
    offset += c;
  }
  Tensor rows = empty({total}, DType::int64), values = empty({total, width}, p.dtype());
  const Tensor my_rows = mine.defined() ? mine.rows : empty({0}, DType::int64);
  const Tensor my_values = mine.defined() ? mine.values : empty({0, width}, p.dtype());
  check(MPI_Allgatherv(my_rows.data<std::int64_t>(), static_cast<int>(count), MPI_INT64_T,
                       rows.data<std::int64_t>(), row_counts.data(), row_offsets.data(),
                       MPI_INT64_T, MPI_COMM_WORLD),
        "MPI_Allgatherv");
  ag::detail::visit_floating(p.dtype(), "dist", [&](auto zero) {
    using T = decltype(zero);
    check(MPI_Allgatherv(my_values.data<T>(), static_cast<int>(count * width), mpi::type(p.dtype()),
                         values.data<T>(), value_counts.data(), value_offsets.data(),
                         mpi::type(p.dtype()), MPI_COMM_WORLD),
          "MPI_Allgatherv");
    T* v = values.data<T>();
    for (std::int64_t i = 0; i < total * width; ++i) v[i] /= static_cast<T>(world);
  });
  p.set_sparse_grad({rows, values});
}

struct Bucket {
  DType dtype;
  std::vector<std::size_t> members;  // parameter indices
  std::size_t ready = 0;             // members whose gradient is final
  std::vector<std::byte> buffer;     // the members' gradients, packed
  void* sums = nullptr;              // what the allreduce sums: buffer, or a lone gradient
  std::size_t count = 0;             // elements at sums
};

// Dense parameters grouped, last first (their gradients are final first),
// into buckets of one dtype: the first of about `first_bytes` (so the last
// layers' allreduce starts early), the others of about `bytes`. Each
// bucket's gradients are packed (a lone parameter's are summed in place)
// and summed by one allreduce, started in bucket order on every rank, on
// `worker` if there is one; then stored as means. Sparse ones (no bucket)
// are gathered at the end.
struct Buckets {
  static constexpr std::size_t kNone = -1;
  std::vector<Tensor> params;
  std::vector<std::size_t> bucket_of;  // parameter -> bucket, kNone if sparse
  std::vector<Bucket> buckets;
  std::vector<std::size_t> sparse;         // parameters with row-sparse gradients
  std::size_t next = 0;                    // the next bucket to start
  std::unique_ptr<detail::Worker> worker;  // none: each allreduce runs where it starts

  Buckets(std::vector<Tensor> parameters, const std::vector<bool>& is_sparse,
          std::size_t first_bytes, std::size_t bytes)
      : params(std::move(parameters)), bucket_of(params.size(), kNone) {
    std::map<DType, std::size_t> open, filled, first_of;  // per dtype: the bucket being filled
    for (std::size_t k = params.size(); k-- > 0;) {
      if (is_sparse[k]) {
        sparse.push_back(k);
        continue;
      }
      const DType dtype = params[k].dtype();
      const std::size_t size = static_cast<std::size_t>(params[k].numel()) * dtype_size(dtype);
      const bool has_open = open.count(dtype) > 0;
      const std::size_t cap = has_open && open[dtype] == first_of[dtype] ? first_bytes : bytes;
      if (!has_open || (filled[dtype] > 0 && filled[dtype] + size > cap)) {
        if (!has_open) first_of[dtype] = buckets.size();
        open[dtype] = buckets.size();
        filled[dtype] = 0;
        buckets.push_back(Bucket{dtype, {}, 0, {}, nullptr, 0});
      }
      filled[dtype] += size;
      bucket_of[k] = open[dtype];
      buckets[open[dtype]].members.push_back(k);
    }
  }
  ~Buckets() {
    if (!worker) return;
    try {
      worker->wait();  // collectives in flight finish before their buffers go
    } catch (const std::exception&) {
      // already thrown by synchronize(), or the job is ending on an error
    }
  }
  Buckets(const Buckets&) = delete;
  Buckets& operator=(const Buckets&) = delete;

  // Packs bucket `index`'s gradients (missing ones as zeros) and starts its allreduce.
  void start(std::size_t index) {
    Bucket& b = buckets[index];
    ag::detail::visit_floating(b.dtype, "dist", [&](auto zero) {
      using T = decltype(zero);
      b.count = 0;
      for (std::size_t k : b.members) {
        if (params[k].sparse_grad().defined()) {
          ag::detail::fail<ValueError>(
              "dist: a parameter of shape {} has a row-sparse gradient but no sparse "
              "nn::Embedding or nn::EmbeddingBag owns it, so the other ranks expect a dense one",
              params[k].shape());
        }
        b.count += static_cast<std::size_t>(params[k].numel());
      }
      Tensor lone = b.members.size() == 1 ? params[b.members[0]].grad() : Tensor();
      if (lone.defined() && lone.dtype() == b.dtype) {
        b.sums = lone.data<T>();  // summed in place: no copy in, none out
      } else {
        b.buffer.resize(b.count * sizeof(T));  // kept from step to step: no fresh pages
        T* out = reinterpret_cast<T*>(b.buffer.data());
        for (std::size_t k : b.members) {
          const Tensor g = params[k].grad();
          const auto n = static_cast<std::size_t>(params[k].numel());
          if (g.defined() && g.dtype() == b.dtype) {
            std::copy(g.data<T>(), g.data<T>() + n, out);
          } else {
            std::fill(out, out + n, T(0));  // no gradient here: zeros
          }
          out += n;
        }
        b.sums = b.buffer.data();
      }
    });
    auto sum = [&b](MPI_Comm comm) {
      check(MPI_Allreduce(MPI_IN_PLACE, b.sums, static_cast<int>(b.count), mpi::type(b.dtype),
                          MPI_SUM, comm),
            "MPI_Allreduce");
    };
    if (worker) {
      worker->submit([sum, comm = worker->comm()] { sum(comm); });
    } else {
      sum(MPI_COMM_WORLD);
    }
  }

  // Starts the buckets not started yet, waits for all, stores the means.
  void finish() {
    while (next < buckets.size()) start(next++);
    if (worker) worker->wait();
    const int world = world_size();
    for (Bucket& b : buckets) {
      ag::detail::visit_floating(b.dtype, "dist", [&](auto zero) {
        using T = decltype(zero);
        const T* in = static_cast<const T*>(b.sums);
        for (std::size_t k : b.members) in = store_mean(params[k], in, static_cast<T>(world));
      });
      b.ready = 0;
    }
    next = 0;
    for (std::size_t k : sparse) gather_sparse(params[k]);
  }
};
}  // namespace

void average_gradients(nn::Module& model, std::size_t bucket_bytes) {
  if (world_size() == 1) return;  // one rank: the gradients are already the means
  // Only the dense parameters with a gradient on some rank (elsewhere
  // zeros), and every sparse one.
  const std::vector<Tensor> params = model.parameters();
  const std::vector<bool> sparse = expects_sparse(model, params);
  std::vector<int> has(params.size()), any(params.size());
  for (std::size_t k = 0; k < params.size(); ++k) has[k] = sparse[k] || params[k].grad().defined();
  check(MPI_Allreduce(has.data(), any.data(), static_cast<int>(has.size()), MPI_INT, MPI_MAX,
                      MPI_COMM_WORLD),
        "MPI_Allreduce");
  std::vector<Tensor> used;
  std::vector<bool> used_sparse;
  for (std::size_t k = 0; k < params.size(); ++k) {
    if (!any[k]) continue;
    used.push_back(params[k]);
    used_sparse.push_back(sparse[k]);
  }
  Buckets(std::move(used), used_sparse, bucket_bytes, bucket_bytes).finish();
}

// Starts each bucket's allreduce as soon as its last gradient is final,
// from a post-accumulate-grad hook on every parameter (Tensor's public
// hook: the engine's normal sweep calls it, on whatever thread runs the
// backward). With one rank nothing is hooked: the gradients are already
// the means, so DDP costs nothing over plain training.
struct DistributedDataParallel::Impl {
  Buckets buckets;
  std::size_t started_early = 0;
  bool syncing = true;
  const bool solo = world_size() == 1;
  std::vector<std::pair<std::size_t, unsigned>> hooks;  // (parameter, hook id)

  Impl(nn::Module& model, const DDPOptions& options)
      : buckets(model.parameters(), expects_sparse(model, model.parameters()),
                options.first_bucket_bytes, options.bucket_bytes) {
    if (solo) return;
    if (options.communication_thread && mpi::thread_level() == MPI_THREAD_MULTIPLE) {
      buckets.worker = std::make_unique<detail::Worker>();
    }
    for (std::size_t k = 0; k < buckets.params.size(); ++k) {
      if (buckets.bucket_of[k] == Buckets::kNone) continue;  // sparse: gathered in synchronize()
      hooks.emplace_back(k, buckets.params[k].register_post_accumulate_grad_hook(
                                [this, k](const Tensor&) { gradient_ready(k); }));
    }
  }
  ~Impl() {
    for (const auto& [k, id] : hooks) buckets.params[k].remove_hook(id);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void gradient_ready(std::size_t k) {
    if (!syncing) return;
    if (buckets.bucket_of[k] < buckets.next) {  // its allreduce may be reading the gradient
      ag::detail::fail<GraphError>(
          "DistributedDataParallel: a backward reached a gradient still being averaged from "
          "the previous backward; call synchronize() after each backward, or accumulate under "
          "no_sync()");
    }
    Bucket& b = buckets.buckets[buckets.bucket_of[k]];
    if (++b.ready < b.members.size()) return;
    // Every complete bucket whose turn it is: the same order on every rank.
    std::size_t& next = buckets.next;
    while (next < buckets.buckets.size() &&
           buckets.buckets[next].ready == buckets.buckets[next].members.size()) {
      buckets.start(next++);
      ++started_early;
    }
  }

  void synchronize() {
    if (!solo) buckets.finish();  // one rank: the gradients are already the means
  }
};

DistributedDataParallel::DistributedDataParallel(nn::Module& model, DDPOptions options) {
  broadcast_parameters(model);
  impl_ = std::make_unique<Impl>(model, options);
}
DistributedDataParallel::~DistributedDataParallel() = default;
void DistributedDataParallel::synchronize() { impl_->synchronize(); }
std::size_t DistributedDataParallel::started_early() const { return impl_->started_early; }
void DistributedDataParallel::set_syncing(bool on) { impl_->syncing = on; }

}  // namespace ag::dist

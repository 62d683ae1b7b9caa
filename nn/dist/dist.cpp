// SPDX-License-Identifier: MIT
// ag::dist: MPI's lifetime, ranks, parameter broadcast, checkpoints, metrics
// and shards. Gradient averaging is in gradients.cpp.
#include "autograd/nn/dist/dist.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>

#include "autograd/generator.hpp"
#include "autograd/nn/dist/mpi.hpp"
#include "autograd/nn/io/checkpoint.hpp"
#include "autograd/nn/io/file_io.hpp"

namespace ag::dist {
using mpi::check;
namespace {

int provided_thread_level = MPI_THREAD_SINGLE;

// Every parameter and buffer, "name dtype shape" per line, in order.
std::vector<std::string> describe(const nn::Module& model) {
  std::vector<std::string> lines;
  for (const auto& [name, t] : model.named_parameters()) {
    lines.push_back(fmt::format("parameter {} {} {}", name, dtype_name(t.dtype()), t.shape()));
  }
  for (const auto& [name, t] : model.named_buffers()) {
    lines.push_back(fmt::format("buffer {} {} {}", name, dtype_name(t.dtype()), t.shape()));
  }
  return lines;
}

// `root`'s text on every rank, in pieces of at most 1 GiB (MPI counts are ints).
std::string broadcast_text(std::string text, int root) {
  std::uint64_t size = text.size();
  check(MPI_Bcast(&size, 1, MPI_UINT64_T, root, MPI_COMM_WORLD), "MPI_Bcast");
  text.resize(size);
  constexpr std::uint64_t kPiece = 1u << 30;
  for (std::uint64_t at = 0; at < size; at += kPiece) {
    check(MPI_Bcast(text.data() + at, static_cast<int>(std::min(kPiece, size - at)), MPI_CHAR, root,
                    MPI_COMM_WORLD),
          "MPI_Bcast");
  }
  return text;
}

}  // namespace

int mpi::thread_level() { return provided_thread_level; }

Environment::Environment(int& argc, char**& argv) {
  int provided = 0;
  // Multiple: DistributedDataParallel's communication thread calls MPI too.
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided), "MPI_Init_thread");
  provided_thread_level = provided;
  // Errors come back as codes (and become exceptions) instead of aborting.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

Environment::~Environment() { MPI_Finalize(); }

int rank() {
  int r = 0;
  check(MPI_Comm_rank(MPI_COMM_WORLD, &r), "MPI_Comm_rank");
  return r;
}

int world_size() {
  int n = 1;
  check(MPI_Comm_size(MPI_COMM_WORLD, &n), "MPI_Comm_size");
  return n;
}

int run(const std::function<int()>& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rank %d: %s\n", rank(), e.what());
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 1);
    return 1;
  }
}

void broadcast_parameters(nn::Module& model) {
  const std::vector<std::string> mine = describe(model);
  std::string joined;
  for (const std::string& line : mine) joined += line + "\n";
  const std::string root = broadcast_text(joined, 0);
  // This rank's first difference from rank 0, if any.
  std::string problem;
  if (root != joined) {
    std::vector<std::string> theirs;
    for (std::size_t start = 0, end; start < root.size(); start = end + 1) {
      end = root.find('\n', start);
      theirs.push_back(root.substr(start, end - start));
    }
    std::size_t k = 0;
    while (k < mine.size() && k < theirs.size() && mine[k] == theirs[k]) ++k;
    problem = fmt::format("rank {} has {} where rank 0 has {}", rank(),
                          k < mine.size() ? "'" + mine[k] + "'" : "nothing",
                          k < theirs.size() ? "'" + theirs[k] + "'" : "nothing");
  }
  // The lowest rank with a problem tells everyone, so all ranks throw the same.
  const int candidate = problem.empty() ? world_size() : rank();
  int first = 0;
  check(MPI_Allreduce(&candidate, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD), "MPI_Allreduce");
  if (first < world_size()) {
    ag::detail::fail<ValueError>("dist::broadcast_parameters: the models differ: {}",
                                 broadcast_text(problem, first));
  }
  auto send = [](Tensor t) {  // a handle: writes reach the model's tensor
    if (t.numel() == 0) return;
    detail::visit_any(t.dtype(), [&](auto zero) {
      using T = decltype(zero);
      check(MPI_Bcast(t.data<T>(), static_cast<int>(t.numel()), mpi::type(t.dtype()), 0,
                      MPI_COMM_WORLD),
            "MPI_Bcast");
    });
    t.mark_modified();  // written in place
  };
  for (const auto& [name, t] : model.named_parameters()) send(t);
  for (const auto& [name, t] : model.named_buffers()) send(t);
}

void load_checkpoint(const std::string& path, nn::Module& model, optim::Optimizer* optimizer,
                     optim::Scheduler* scheduler) {
  // Rank 0 reads; every rank gets its bytes, or its error.
  std::string bytes, error;
  if (rank() == 0) {
    try {
      bytes = io::read_regular_file(path, "checkpoint");
    } catch (const FileError& e) {
      error = e.what();
    }
  }
  error = broadcast_text(error, 0);
  if (!error.empty()) ag::detail::fail<FileError>("{}", error);
  bytes = broadcast_text(std::move(bytes), 0);
  io::restore_checkpoint(io::parse_tensors(bytes, path), path, model, optimizer, scheduler);
}

double average(double value) {
  double sum = 0;
  check(MPI_Allreduce(&value, &sum, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
  return sum / world_size();
}

std::vector<std::int64_t> shard(std::int64_t n, std::uint64_t seed, std::int64_t epoch,
                                bool drop_last) {
  if (n < 0 || epoch < 0) {
    ag::detail::fail<ValueError>("dist::shard: n {} and epoch {} must not be negative", n, epoch);
  }
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  Generator gen(seed * 1000003u + static_cast<std::uint64_t>(epoch));
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[gen.next_u64() % i]);
  const std::int64_t world = world_size(), r = rank();
  const std::int64_t end = drop_last ? n / world * world : n;
  std::vector<std::int64_t> mine;
  for (std::int64_t i = r; i < end; i += world) mine.push_back(order[static_cast<std::size_t>(i)]);
  return mine;
}

std::function<std::vector<std::int64_t>(std::int64_t)> shard_sampler(std::int64_t n,
                                                                     std::uint64_t seed,
                                                                     bool drop_last) {
  return [=](std::int64_t epoch) { return shard(n, seed, epoch, drop_last); };
}

}  // namespace ag::dist

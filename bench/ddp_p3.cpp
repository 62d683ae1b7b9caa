// SPDX-License-Identifier: MIT
// P3 (784-512-256-10 ReLU MLP, float32, Adam, a global batch of 128) on
// data-parallel ranks: run under `mpirun -np R ddp_p3 THREADS`; each rank
// takes 128 / R rows. Prints samples/s, the time of each phase of a step,
// and for R > 1 how much of the gradient allreduce DistributedDataParallel
// hid behind backward: 1 - (time waiting in synchronize) / (a bare
// MPI_Allreduce of the gradients' size, measured in the same run).
// `ddp_p3 THREADS inline`: no communication thread. `ddp_p3 THREADS alone`:
// no DistributedDataParallel at all, each rank trains on its rows and never
// communicates: the machine's ceiling for data parallelism (free, instant
// communication), measured in the same harness.
#include <fmt/format.h>
#include <mpi.h>

#include <optional>
#include <string>

#include "autograd/nn/dist/dist.hpp"
#include "autograd/nn/nn.hpp"
#include "bench_util.hpp"

int main(int argc, char** argv) {
  ag::dist::Environment mpi(argc, argv);
  return ag::dist::run([&] {
    const int threads = argc > 1 ? std::stoi(argv[1]) : 1;
    const int rank = ag::dist::rank(), world = ag::dist::world_size();
    constexpr int kSteps = 200, kBatch = 128;
    ag::set_num_threads(threads);
    ag::Generator gen(1);
    auto net = ag::nn::MLP({784, 512, 256, 10}, "relu", "identity", true, ag::DType::float32, gen);
    const ag::Tensor all = ag::randn({kBatch, 784}, gen);
    std::vector<std::int64_t> labels;
    for (std::int64_t i = 0; i < kBatch; ++i) labels.push_back(i * 7 % 10);
    const std::int64_t rows = kBatch / world;
    const ag::Tensor x = ag::slice(all, 0, rank * rows, (rank + 1) * rows);
    const ag::Tensor y = ag::slice(ag::index_tensor(labels), 0, rank * rows, (rank + 1) * rows);
    // THREADS [inline|alone]: "inline" runs each allreduce where it starts
    // (no communication thread); "alone" has no DistributedDataParallel.
    const std::string mode = argc > 2 ? argv[2] : "";
    const bool inline_sums = mode == "inline", alone = mode == "alone";
    std::optional<ag::dist::DistributedDataParallel> ddp;
    if (!alone) ddp.emplace(*net, ag::dist::DDPOptions{.communication_thread = !inline_sums});
    ag::optim::Adam adam(net->parameters(), {.lr = 1e-3});
    double computing = 0, waiting = 0, stepping = 0;
    auto step = [&] {
      computing += bench::seconds_of([&] {
        adam.zero_grad();
        ag::nn::cross_entropy(net->forward(x), y).backward();
      });
      if (ddp) waiting += bench::seconds_of([&] { ddp->synchronize(); });
      stepping += bench::seconds_of([&] { adam.step(); });
    };
    for (int i = 0; i < 10; ++i) step();  // warm up
    computing = waiting = stepping = 0;
    ag::dist::average(0);  // start together
    const double seconds = bench::seconds_of([&] {
      for (int i = 0; i < kSteps; ++i) step();
    });
    const double slowest = ag::dist::average(seconds);  // ranks run in lockstep
    const std::string name =
        fmt::format("p3-ddp-{}r-{}t{}", world, threads, mode.empty() ? "" : "-" + mode);
    const double per_step[3] = {ag::dist::average(computing) / kSteps * 1e3,
                                ag::dist::average(waiting) / kSteps * 1e3,
                                ag::dist::average(stepping) / kSteps * 1e3};
    if (rank == 0) {
      fmt::print("{} {:.1f} samples/s\n", name, kBatch * kSteps / slowest);
      fmt::print("{}-phases forward+backward {:.3f} ms, synchronize {:.3f} ms, Adam {:.3f} ms\n",
                 name, per_step[0], per_step[1], per_step[2]);
    }
    if (world > 1 && !alone) {
      // The transport alone: a bare MPI_Allreduce of as many floats, on a warm buffer.
      std::vector<float> sums(static_cast<std::size_t>(net->num_parameters()), 1.0f);
      auto allreduce = [&] {
        MPI_Allreduce(MPI_IN_PLACE, sums.data(), static_cast<int>(sums.size()), MPI_FLOAT, MPI_SUM,
                      MPI_COMM_WORLD);
      };
      for (int i = 0; i < 5; ++i) allreduce();
      const double bare = bench::seconds_of([&] {
        for (int i = 0; i < kSteps / 4; ++i) allreduce();
      });
      const double per_step_bare = ag::dist::average(bare) / (kSteps / 4);
      const double per_step_waiting = ag::dist::average(waiting) / kSteps;
      if (rank == 0 && !inline_sums) {  // inline, the allreduces run inside backward
        fmt::print(
            "{}-hidden {:.1f} % of a bare allreduce of the gradients ({:.3f} ms/step waited "
            "in synchronize, the allreduce alone {:.3f} ms)\n",
            name, 100 * (1 - per_step_waiting / per_step_bare), per_step_waiting * 1e3,
            per_step_bare * 1e3);
      }
    }
    return 0;
  });
}

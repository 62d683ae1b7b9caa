// SPDX-License-Identifier: MIT
// P3 (784-512-256-10 ReLU MLP, float32, Adam, a global batch of 128) on
// data-parallel ranks: run under `mpirun -np R ddp_p3 THREADS`; each rank
// takes 128 / R rows. Prints samples/s, and for R > 1 how much of the
// gradient allreduce DistributedDataParallel hid behind backward: 1 - (time
// waiting in synchronize) / (time of the same allreduce run alone).
#include <fmt/format.h>

#include <string>

#include "autograd/nn/distributed.hpp"
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
    ag::dist::DistributedDataParallel ddp(*net);
    ag::optim::Adam adam(net->parameters(), {.lr = 1e-3});
    double waiting = 0;
    auto step = [&] {
      adam.zero_grad();
      ag::nn::cross_entropy(net->forward(x), y).backward();
      waiting += bench::seconds_of([&] { ddp.synchronize(); });
      adam.step();
    };
    for (int i = 0; i < 10; ++i) step();  // warm up
    waiting = 0;
    ag::dist::average(0);  // start together
    const double seconds = bench::seconds_of([&] {
      for (int i = 0; i < kSteps; ++i) step();
    });
    const double slowest = ag::dist::average(seconds);  // ranks run in lockstep
    const std::string name = fmt::format("p3-ddp-{}r-{}t", world, threads);
    if (rank == 0) fmt::print("{} {:.1f} samples/s\n", name, kBatch * kSteps / slowest);
    if (world > 1) {
      // The same allreduces alone, after a backward.
      double alone = 0;
      for (int i = 0; i < kSteps / 4; ++i) {
        alone += bench::seconds_of([&] { ag::dist::average_gradients(*net); });
      }
      const double per_step_alone = ag::dist::average(alone) / (kSteps / 4);
      const double per_step_waiting = ag::dist::average(waiting) / kSteps;
      if (rank == 0) {
        fmt::print("{}-hidden {:.1f} % of the allreduce ({:.3f} of {:.3f} ms/step waited)\n", name,
                   100 * (1 - per_step_waiting / per_step_alone), per_step_waiting * 1e3,
                   per_step_alone * 1e3);
      }
    }
    return 0;
  });
}

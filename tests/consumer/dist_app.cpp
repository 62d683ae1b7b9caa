// SPDX-License-Identifier: MIT
// A program of another project using ag::dist, built against the installed
// autograd-dist (pkg-config) and autograd::dist (CMake); check.sh runs it as
// one process (MPI's singleton start), mpirun would run it as several.
#include <autograd/nn/dist/dist.hpp>
#include <autograd/nn/distributed.hpp>  // the old path, forwarding for one release
#include <autograd/nn/nn.hpp>

int main(int argc, char** argv) {
  ag::dist::Environment mpi(argc, argv);
  return ag::dist::run([] {
    ag::nn::Linear layer(3, 2);
    ag::dist::DistributedDataParallel ddp(layer);
    ag::nn::mse_loss(layer(ag::ones({4, 3})), ag::zeros({4, 2})).backward();
    ddp.synchronize();
    fmt::print("dist: rank {} of {}\n", ag::dist::rank(), ag::dist::world_size());
    return 0;
  });
}

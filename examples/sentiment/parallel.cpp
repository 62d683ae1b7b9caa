// SPDX-License-Identifier: MIT
#include "parallel.hpp"

#include <cstdlib>
#include <optional>

#ifdef SENTIMENT_DIST
#include "autograd/nn/dist/dist.hpp"
#endif

namespace sentiment {

#ifdef SENTIMENT_DIST
struct Parallel::Impl {
  std::optional<ag::dist::Environment> mpi;
  std::unique_ptr<ag::dist::DistributedDataParallel> ddp;
};
Parallel::Parallel(int& argc, char**& argv) : impl_(std::make_unique<Impl>()) {
  // Started by mpirun (OpenMPI's or a PMI launcher's variables): join the job.
  if (std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE"))
    impl_->mpi.emplace(argc, argv);
}
int Parallel::rank() const { return impl_->mpi ? ag::dist::rank() : 0; }
int Parallel::world() const { return impl_->mpi ? ag::dist::world_size() : 1; }
int Parallel::run(const std::function<int()>& body) const {
  return impl_->mpi ? ag::dist::run(body) : body();
}
double Parallel::average(double value) const {
  return impl_->mpi ? ag::dist::average(value) : value;
}
void Parallel::watch(ag::nn::Module& model) {
  if (impl_->mpi) impl_->ddp = std::make_unique<ag::dist::DistributedDataParallel>(model);
}
void Parallel::synchronize() {
  if (impl_->ddp) impl_->ddp->synchronize();
}
#else
struct Parallel::Impl {};
Parallel::Parallel(int&, char**&) {}
int Parallel::rank() const { return 0; }
int Parallel::world() const { return 1; }
int Parallel::run(const std::function<int()>& body) const { return body(); }
double Parallel::average(double value) const { return value; }
void Parallel::watch(ag::nn::Module&) {}
void Parallel::synchronize() {}
#endif
Parallel::~Parallel() = default;

}  // namespace sentiment

// SPDX-License-Identifier: MIT
// What ag::dist's files share (internal to nn/dist/, not installed): MPI
// error codes as exceptions, MPI datatypes, the thread level MPI provided.
#pragma once

#include <mpi.h>

#include "autograd/tensor.hpp"

namespace ag::dist::mpi {

/// Throws GraphError naming `call` unless `code` is MPI_SUCCESS.
inline void check(int code, const char* call) {
  if (code != MPI_SUCCESS)
    ag::detail::fail<GraphError>("dist: {} failed with MPI error {}", call, code);
}

/// The MPI datatype of a dtype's elements.
inline MPI_Datatype type(DType dtype) {
  switch (dtype) {
    case DType::float32:
      return MPI_FLOAT;
    case DType::float64:
      return MPI_DOUBLE;
    case DType::int64:
      return MPI_INT64_T;
    case DType::boolean:
      return MPI_C_BOOL;
  }
  return MPI_BYTE;
}

/// What MPI_Init_thread provided (Environment sets it).
int thread_level();

}  // namespace ag::dist::mpi

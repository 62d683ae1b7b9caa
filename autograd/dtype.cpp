// SPDX-License-Identifier: MIT
#include "autograd/dtype.hpp"

namespace ag {
namespace {
constinit thread_local DType default_float = DType::float32;
}

DType default_dtype() { return default_float; }

void set_default_dtype(DType dtype) {
  if (!is_floating(dtype)) {
    detail::fail<DTypeError>("set_default_dtype: {} is not float32 or float64", dtype_name(dtype));
  }
  default_float = dtype;
}

}  // namespace ag

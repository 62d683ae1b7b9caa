// SPDX-License-Identifier: MIT
#include "autograd/version.hpp"

namespace ag {
const char* version() { return AG_VERSION_STRING; }
}  // namespace ag

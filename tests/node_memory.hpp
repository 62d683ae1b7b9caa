// SPDX-License-Identifier: MIT
// Bytes held for graph nodes: the C heap (tensor nodes, and scalar nodes
// under AddressSanitizer or valgrind) plus the node pool's chunks.
#pragma once

#include <malloc.h>

#include "autograd/node_pool.hpp"

inline std::size_t node_memory() {
  return mallinfo2().uordblks +
         ag::detail::node_pool_chunks_in_use() * ag::detail::PoolChunk::kBytes;
}

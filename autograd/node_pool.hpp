// SPDX-License-Identifier: MIT
// Storage for small fixed-size nodes (scalar nodes): bump allocation from
// 4 KiB chunks (carved from 2 MiB slabs), one atomic counter per
// chunk, no per-node malloc. Internal.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "autograd/node.hpp"

namespace ag::detail {

constexpr std::size_t kNodePoolBlock = 56;

/// Raw storage for one node of at most `kNodePoolBlock` bytes; the node built
/// there must keep `slot` in its Node::slot.
struct PoolBlock {
  void* memory;
  std::uint16_t slot;
};

struct alignas(64) PoolChunk {
  static constexpr std::size_t kBytes = 4096;
  static constexpr std::size_t kHeader = 64;
  static constexpr std::uint32_t kCapacity = (kBytes - kHeader) / kNodePoolBlock;

  std::atomic<std::uint32_t> live;  ///< nodes not yet freed, +1 while a thread allocates here

  std::byte* block(std::uint32_t slot) {
    return reinterpret_cast<std::byte*>(this) + kHeader + slot * kNodePoolBlock;
  }
};

// The chunk this thread allocates from. Plain (constinit) thread-locals, so
// the fast path is a TLS load and an increment; node_pool.cpp registers the
// hand-back at thread exit when it opens the first chunk.
extern constinit thread_local PoolChunk* pool_chunk;
extern constinit thread_local std::uint32_t pool_used;

PoolBlock node_pool_refill();

/// Each thread fills its own chunk; a chunk goes back to the heap as soon as
/// every node carved from it is freed, on whichever thread.
inline PoolBlock node_pool_allocate() {
  if (pool_used == PoolChunk::kCapacity) return node_pool_refill();
  const std::uint32_t slot = pool_used++;
  return {pool_chunk->block(slot), static_cast<std::uint16_t>(slot)};
}

void free_chunk(PoolChunk* chunk) noexcept;

/// Unmaps the slabs no node lives in; returns the bytes given back.
std::size_t node_pool_release_empty_slabs();

/// Chunks handed out from the slabs and not yet returned, for
/// tests of memory accounting; 0 when the pool uses malloc (AddressSanitizer,
/// valgrind).
std::size_t node_pool_chunks_in_use();

/// Returns the storage of a node made by node_pool_allocate (after its
/// destructor ran; `slot` must be intact).
inline void node_pool_free(Node* node) noexcept {
  auto* chunk = reinterpret_cast<PoolChunk*>(reinterpret_cast<std::byte*>(node) -
                                             PoolChunk::kHeader - node->slot * kNodePoolBlock);
  if (chunk->live.fetch_sub(1, std::memory_order_acq_rel) == 1) free_chunk(chunk);
}

}  // namespace ag::detail

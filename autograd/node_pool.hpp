// SPDX-License-Identifier: MIT
// Storage for small nodes (scalar nodes, 32 or 40 bytes): bump allocation
// from 4 KiB chunks (carved from 2 MiB slabs), one atomic counter per
// chunk, no per-node malloc. Internal.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "autograd/node.hpp"

namespace ag::detail {

/// The largest node the pool holds; sizes are multiples of 8.
constexpr std::size_t kNodePoolMaxBytes = 40;

/// A 4 KiB-aligned chunk: a 16-byte header, then 4,080 bytes of nodes laid
/// end to end (102 of 40 bytes, 127 of 32). A node finds its chunk by
/// rounding its address down, so nodes carry no slot number.
struct alignas(16) PoolChunk {
  static constexpr std::size_t kBytes = 4096;
  static constexpr std::size_t kHeader = 16;
  static constexpr std::uint32_t kUsable = kBytes - kHeader;

  /// Bytes of nodes not yet freed, +1 while a thread allocates here: a free
  /// subtracts its node's size, so the count needs no number of nodes.
  std::atomic<std::uint32_t> live;

  std::byte* at(std::uint32_t offset) {
    return reinterpret_cast<std::byte*>(this) + kHeader + offset;
  }
  static PoolChunk* of(const void* block) {
    return reinterpret_cast<PoolChunk*>(reinterpret_cast<std::uintptr_t>(block) & ~(kBytes - 1));
  }
};
static_assert(sizeof(PoolChunk) <= PoolChunk::kHeader);

// The chunk this thread allocates from. Plain (constinit) thread-locals, so
// the fast path is a TLS load and an increment; node_pool.cpp registers the
// hand-back at thread exit when it opens the first chunk.
extern constinit thread_local PoolChunk* pool_chunk;
extern constinit thread_local std::uint32_t pool_used;

void* node_pool_refill(std::uint32_t bytes);

/// Storage for one node of `bytes` (a multiple of 8, at most
/// kNodePoolMaxBytes). Each thread fills its own chunk; a chunk goes back to
/// the heap as soon as every node carved from it is freed, on whichever thread.
inline void* node_pool_allocate(std::uint32_t bytes) {
  if (pool_used + bytes > PoolChunk::kUsable) [[unlikely]]
    return node_pool_refill(bytes);
  void* block = pool_chunk->at(pool_used);
  pool_used += bytes;
  return block;
}

void free_chunk(PoolChunk* chunk) noexcept;

/// Unmaps the slabs no node lives in; returns the bytes given back.
std::size_t node_pool_release_empty_slabs();

/// What the prefault thread (node_pool.cpp: it maps and writes the next
/// slabs ahead of need) has done, for benchmarks and tests.
struct PrefaultStats {
  bool enabled;                  ///< 2+ CPUs, slabs (not malloc), AG_PREFAULT_THREAD not 0
  std::size_t slabs_taken;       ///< new slabs the pool has needed
  std::size_t slabs_prefaulted;  ///< of those, how many the thread had written ahead
  std::size_t slabs_ready;       ///< written ahead and not yet needed
  double cpu_seconds;            ///< the thread's CPU time
};
PrefaultStats node_pool_prefault_stats();

/// Returns once the prefault thread has nothing left to do (tests).
void node_pool_wait_prefault();

/// Chunks handed out from the slabs and not yet returned, for
/// tests of memory accounting; 0 when the pool uses malloc (AddressSanitizer,
/// valgrind).
std::size_t node_pool_chunks_in_use();

/// Returns the storage of a node made by node_pool_allocate(bytes) (after
/// its destructor ran).
inline void node_pool_free(Node* node, std::uint32_t bytes) noexcept {
  PoolChunk* chunk = PoolChunk::of(node);
  if (chunk->live.fetch_sub(bytes, std::memory_order_acq_rel) == bytes) free_chunk(chunk);
}

}  // namespace ag::detail

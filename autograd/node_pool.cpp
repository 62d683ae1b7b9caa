// Why a pool: malloc + free cost ~200 instructions per node, several times
// the rest of a scalar op. Here allocation is a bump of an index, and a free
// is one atomic decrement of the chunk's count of live nodes.
//
// A chunk is freed when its count reaches zero. The count starts at the
// chunk's capacity plus one for the thread still allocating from it; that
// extra one, and the unused capacity, are given back when the thread moves
// on to a new chunk or exits. So allocation needs no atomics, and a node may
// die on any thread. The price: one long-lived node keeps its 4 KiB chunk.
#include "autograd/node_pool.hpp"

#include <cstdlib>
#include <new>

namespace ag::detail {

constinit thread_local PoolChunk* pool_chunk = nullptr;
constinit thread_local std::uint32_t pool_used = PoolChunk::kCapacity;

namespace {

void drop(PoolChunk* chunk, std::uint32_t count) noexcept {
  if (chunk->live.fetch_sub(count, std::memory_order_acq_rel) == count) free_chunk(chunk);
}

// Gives the current chunk's unused capacity back when the thread exits.
struct ThreadExit {
  ~ThreadExit() {
    if (pool_chunk) drop(pool_chunk, PoolChunk::kCapacity - pool_used + 1);
    pool_chunk = nullptr;
  }
};

}  // namespace

void free_chunk(PoolChunk* chunk) noexcept {
  chunk->~PoolChunk();
  std::free(chunk);
}

PoolBlock node_pool_refill() {
  thread_local ThreadExit at_exit;  // constructed (and registered) on first use
  (void)at_exit;
  void* memory = std::aligned_alloc(64, PoolChunk::kBytes);
  if (!memory) throw std::bad_alloc();
  auto* fresh = new (memory) PoolChunk{PoolChunk::kCapacity + 1};
  if (pool_chunk) drop(pool_chunk, 1);  // its capacity is all used
  pool_chunk = fresh;
  pool_used = 1;
  return {fresh->block(0), 0};
}

}  // namespace ag::detail

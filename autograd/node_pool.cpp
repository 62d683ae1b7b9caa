// SPDX-License-Identifier: MIT
// Why a pool: malloc + free cost ~200 instructions per node, several times
// the rest of a scalar op. Here allocation is a bump of an offset, and a free
// is one atomic subtraction from the chunk's count of live bytes.
//
// A chunk is freed when its count reaches zero. The count starts at the
// chunk's capacity plus one for the thread still allocating from it; that
// extra one, and the unused capacity, are given back when the thread moves
// on to a new chunk or exits. So allocation needs no atomics, and a node may
// die on any thread. The price: one long-lived node keeps its 4 KiB chunk.
//
// Chunks come from 2 MiB slabs, each faulted in by one madvise call
// (MADV_POPULATE_WRITE) rather than one page fault per 4 KiB as nodes first
// touch it: a 2-million-op chain touches 114 MB of fresh memory, and its
// faults were 40 % of the time (0.14 s -> 0.12 s). Transparent huge pages
// were faster when memory was unfragmented (0.085 s) but stalled in the
// kernel's compaction when it was not (0.3 s, measured): rejected for that.
// A slab is unmapped when its last chunk comes back, beyond 64 empty ones
// kept for the next graph (see kEmptySlabsKept). A second thread maps and
// writes the next slabs ahead of need, for hosts where the first write to a
// page is slow even after the madvise (prefault_enabled says more). Under
// AddressSanitizer or valgrind, chunks come from malloc instead, so that their
// leak checkers see every node (ThreadSanitizer keeps the slabs, and checks
// their locking).
#include "autograd/node_pool.hpp"

#include <sys/mman.h>

#include <pthread.h>
#include <sched.h>
#include <time.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>
#include <vector>

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#if defined(__SANITIZE_ADDRESS__)
#define AG_POOL_USES_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AG_POOL_USES_MALLOC 1
#endif
#endif
#ifndef AG_POOL_USES_MALLOC
#define AG_POOL_USES_MALLOC 0
#endif

namespace ag::detail {

constinit thread_local PoolChunk* pool_chunk = nullptr;
constinit thread_local std::uint32_t pool_used = PoolChunk::kUsable;

namespace {

void drop(PoolChunk* chunk, std::uint32_t count) noexcept {
  if (chunk->live.fetch_sub(count, std::memory_order_acq_rel) == count) free_chunk(chunk);
}

// Gives the current chunk's unused capacity back when the thread exits.
struct ThreadExit {
  ~ThreadExit() {
    if (pool_chunk) drop(pool_chunk, PoolChunk::kUsable - pool_used + 1);
    pool_chunk = nullptr;
  }
};

constexpr std::size_t kSlabBytes = std::size_t{2} << 20;
constexpr std::uint32_t kChunksPerSlab = kSlabBytes / PoolChunk::kBytes;
// Empty slabs kept mapped for the next graph (128 MiB): a training loop
// frees and rebuilds its graph every step, and re-faulting fresh slabs each
// time doubled the cost per node of a 2-million-node graph built repeatedly.
// ag::release_cached_buffers() unmaps them.
constexpr std::size_t kEmptySlabsKept = 64;

struct Slab {
  std::byte* base = nullptr;
  std::uint32_t carved = 0;  // chunks handed out at least once
  std::uint32_t in_use = 0;
  std::vector<void*> free;  // chunks returned, ready again
  bool has_room() const { return !free.empty() || carved < kChunksPerSlab; }
};

// Slabs the prefault thread keeps mapped and written ahead of need.
constexpr std::size_t kSlabsAhead = 2;

struct Slabs {
  std::mutex mutex;
  std::vector<Slab*> all;        // sorted by base, to find a chunk's slab
  std::vector<Slab*> with_room;  // where the next chunk comes from
  std::size_t empty = 0;
  std::size_t chunks_in_use = 0;
  // The prefault thread (below): slabs it made ready, not yet in `all`.
  std::vector<Slab*> ready;
  std::condition_variable prefault_wake, prefault_idle;
  bool prefault_wanted = false;
  bool prefault_started = false;
  std::uint64_t generation = 0;  // bumped by a release: slabs made before it are unmapped
  std::size_t slabs_taken = 0;   // new slabs the pool has needed
  std::size_t slabs_prefaulted = 0;
  double prefault_cpu_seconds = 0.0;
};

Slabs& slabs() {
  // Never destroyed: chunks may outlive statics. A forked child has no
  // prefault thread (it starts its own when it needs one), and its condition
  // variables are made anew, since they may count the parent's thread as a
  // waiter; the lock is held across fork so that the child's copy is never
  // taken mid-update.
  static Slabs* instance = [] {
    auto* s = new Slabs;
    pthread_atfork([] { slabs().mutex.lock(); }, [] { slabs().mutex.unlock(); },
                   [] {
                     Slabs& child = slabs();
                     child.prefault_started = child.prefault_wanted = false;
                     new (&child.prefault_wake) std::condition_variable;
                     new (&child.prefault_idle) std::condition_variable;
                     child.mutex.unlock();
                   });
    return s;
  }();
  return *instance;
}

bool uses_malloc() {
  static const bool value = AG_POOL_USES_MALLOC || RUNNING_ON_VALGRIND;
  return value;
}

Slab* map_slab() {
  void* base =
      mmap(nullptr, kSlabBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) throw std::bad_alloc();
#ifdef MADV_POPULATE_WRITE
  // Fault the whole slab in at once; older kernels refuse the advice (EINVAL)
  // and the pages fault in one by one as before.
  madvise(base, kSlabBytes, MADV_POPULATE_WRITE);
#endif
  auto* slab = new Slab;
  slab->base = static_cast<std::byte*>(base);
  slab->free.reserve(kChunksPerSlab);  // so that give_back never allocates
  return slab;
}

void unmap_slab(Slab* slab) noexcept {
  munmap(slab->base, kSlabBytes);
  delete slab;
}

// On some virtual machines the first write to each fresh 4 KiB page costs
// ~4 us even after MADV_POPULATE_WRITE (a Zen 5 guest: 80 MB written in
// 85 ms, then in 0.2 ms once any thread had written each page once). So a
// second thread maps and writes the next slabs while this one fills nodes.
// It starts with the second slab a process needs (a small graph never starts
// it), sleeps whenever kSlabsAhead slabs are ready, and is not used where
// only one CPU is available or when AG_PREFAULT_THREAD=0.
bool prefault_enabled() {
  static const bool value = [] {
    if (uses_malloc()) return false;
    const char* setting = std::getenv("AG_PREFAULT_THREAD");
    if (setting && setting[0] == '0') return false;
    cpu_set_t cpus;
    return sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) > 1;
  }();
  return value;
}

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Maps a slab and writes one byte of each page (a zero, as it already is).
Slab* written_slab() noexcept {
  try {
    Slab* slab = map_slab();
    for (std::size_t at = 0; at < kSlabBytes; at += 4096)
      static_cast<volatile std::byte*>(static_cast<void*>(slab->base))[at] = std::byte{0};
    return slab;
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}

void prefault_loop(Slabs& s) {
  pthread_setname_np(pthread_self(), "ag-prefault");
  std::unique_lock lock(s.mutex);
  for (;;) {
    s.prefault_wake.wait(lock, [&] { return s.prefault_wanted && s.ready.size() < kSlabsAhead; });
    const std::uint64_t generation = s.generation;
    lock.unlock();
    const double start = thread_cpu_seconds();
    Slab* slab = written_slab();
    const double spent = thread_cpu_seconds() - start;
    lock.lock();
    s.prefault_cpu_seconds += spent;
    if (slab && generation == s.generation) {
      s.ready.push_back(slab);
      if (s.ready.size() < kSlabsAhead) continue;
    } else if (slab) {
      unmap_slab(slab);  // released meanwhile: not wanted any more
    }
    s.prefault_wanted = false;  // enough ready, out of memory, or released
    s.prefault_idle.notify_all();
  }
}

// A slab for take_chunk (under the lock): one the prefault thread made
// ready, or else a new one; then the thread is asked for the next.
Slab* new_slab(Slabs& s) {
  Slab* slab;
  if (!s.ready.empty()) {
    slab = s.ready.back();
    s.ready.pop_back();
    ++s.slabs_prefaulted;
  } else {
    slab = map_slab();
  }
  if (++s.slabs_taken >= 2 && prefault_enabled()) {
    if (!s.prefault_started) {
      try {
        std::thread(prefault_loop, std::ref(s)).detach();
        s.prefault_started = true;
      } catch (const std::system_error&) {
        return slab;  // no thread: every slab is written by its user
      }
    }
    s.prefault_wanted = true;
    s.prefault_wake.notify_one();
  }
  return slab;
}

void* take_chunk() {
  if (uses_malloc()) {
    void* memory = std::aligned_alloc(PoolChunk::kBytes, PoolChunk::kBytes);
    if (!memory) throw std::bad_alloc();
    return memory;
  }
  Slabs& s = slabs();
  std::lock_guard lock(s.mutex);
  if (s.with_room.empty()) {
    Slab* slab = new_slab(s);
    s.all.insert(std::upper_bound(s.all.begin(), s.all.end(), slab,
                                  [](const Slab* a, const Slab* b) { return a->base < b->base; }),
                 slab);
    s.with_room.push_back(slab);
    ++s.empty;
  }
  Slab* slab = s.with_room.back();
  if (slab->in_use++ == 0) --s.empty;
  ++s.chunks_in_use;
  void* chunk;
  if (!slab->free.empty()) {
    chunk = slab->free.back();
    slab->free.pop_back();
  } else {
    chunk = slab->base + std::size_t{slab->carved++} * PoolChunk::kBytes;
  }
  if (!slab->has_room()) s.with_room.pop_back();
  return chunk;
}

void give_back(void* chunk) noexcept {
  if (uses_malloc()) {
    std::free(chunk);
    return;
  }
  Slabs& s = slabs();
  std::lock_guard lock(s.mutex);
  const auto at =
      std::upper_bound(s.all.begin(), s.all.end(), static_cast<std::byte*>(chunk),
                       [](const std::byte* p, const Slab* slab) { return p < slab->base; });
  Slab* slab = *(at - 1);
  const bool was_full = !slab->has_room();
  slab->free.push_back(chunk);  // within the capacity reserved in map_slab
  --s.chunks_in_use;
  if (was_full) s.with_room.push_back(slab);
  if (--slab->in_use > 0) return;
  if (s.empty < kEmptySlabsKept) {
    ++s.empty;
    return;
  }
  std::erase(s.with_room, slab);
  s.all.erase(at - 1);
  unmap_slab(slab);
}

}  // namespace

std::size_t node_pool_release_empty_slabs() {
  if (uses_malloc()) return 0;
  Slabs& s = slabs();
  std::lock_guard lock(s.mutex);
  std::size_t released = 0;
  for (auto it = s.all.begin(); it != s.all.end();) {
    Slab* slab = *it;
    if (slab->in_use != 0) {
      ++it;
      continue;
    }
    std::erase(s.with_room, slab);
    unmap_slab(slab);
    it = s.all.erase(it);
    released += kSlabBytes;
  }
  for (Slab* slab : s.ready) unmap_slab(slab);
  released += s.ready.size() * kSlabBytes;
  s.ready.clear();
  s.prefault_wanted = false;
  ++s.generation;
  s.prefault_idle.notify_all();
  s.empty = 0;
  return released;
}

PrefaultStats node_pool_prefault_stats() {
  Slabs& s = slabs();
  std::lock_guard lock(s.mutex);
  return {prefault_enabled(), s.slabs_taken, s.slabs_prefaulted, s.ready.size(),
          s.prefault_cpu_seconds};
}

void node_pool_wait_prefault() {
  Slabs& s = slabs();
  std::unique_lock lock(s.mutex);
  s.prefault_idle.wait(lock, [&] { return !s.prefault_wanted || s.ready.size() >= kSlabsAhead; });
}

std::size_t node_pool_chunks_in_use() {
  if (uses_malloc()) return 0;
  Slabs& s = slabs();
  std::lock_guard lock(s.mutex);
  return s.chunks_in_use;
}

void free_chunk(PoolChunk* chunk) noexcept {
  chunk->~PoolChunk();
  give_back(chunk);
}

void* node_pool_refill(std::uint32_t bytes) {
  thread_local ThreadExit at_exit;  // constructed (and registered) on first use
  (void)at_exit;
  void* memory = take_chunk();
  auto* fresh = new (memory) PoolChunk{PoolChunk::kUsable + 1};
  // The old chunk's unused tail (less than `bytes`) and its +1.
  if (pool_chunk) drop(pool_chunk, PoolChunk::kUsable - pool_used + 1);
  pool_chunk = fresh;
  pool_used = bytes;
  return fresh->at(0);
}

}  // namespace ag::detail

// SPDX-License-Identifier: MIT
#include "autograd/storage.hpp"

#include "autograd/node_pool.hpp"

#include <pthread.h>

#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace ag {
namespace detail {
namespace {

// Below this, malloc's own free lists are fast and fault-free already.
constexpr std::size_t kCachedFrom = 64 * 1024;
constexpr std::size_t kPage = 4096;
// The header before a buffer's data (its version counter at the end of it).
constexpr std::size_t kSmallHeader = 16, kLargeHeader = 64;
// The cache never holds more than this; a buffer that would exceed it is freed.
constexpr std::size_t kCacheLimit = std::size_t{1} << 30;

struct Cache {
  std::mutex mutex;
  std::unordered_map<std::size_t, std::vector<void*>> free_by_size;
  std::size_t bytes = 0;
};

// Never destroyed: tensors alive during static destruction still return here.
// The lock is held across fork, so that a child never inherits it taken by a
// thread the child does not have (its first large buffer would wait forever).
Cache& cache() {
  static Cache* instance = [] {
    auto* made = new Cache;
    pthread_atfork([] { cache().mutex.lock(); }, [] { cache().mutex.unlock(); },
                   [] { cache().mutex.unlock(); });
    return made;
  }();
  return *instance;
}

struct ReturnToCache {
  std::size_t bytes;
  void operator()(std::byte* p) const {
    Cache& c = cache();
    {
      std::lock_guard lock(c.mutex);
      if (c.bytes + bytes <= kCacheLimit) {
        c.free_by_size[bytes].push_back(p);
        c.bytes += bytes;
        return;
      }
    }
    std::free(p);
  }
};

}  // namespace

// Every buffer starts with a header holding its version counter; the
// shared_ptr handed out points past it (the aliasing constructor), so views
// that share the buffer share the counter. 64 bytes keep large buffers'
// data 64-byte aligned; small ones are 16-byte aligned, as malloc's.
std::shared_ptr<std::byte[]> allocate_storage(std::size_t bytes) {
  if (bytes + kSmallHeader < kCachedFrom) {
    auto block = std::make_shared_for_overwrite<std::byte[]>(bytes + kSmallHeader);
    std::byte* data = block.get() + kSmallHeader;
    new (data - sizeof(std::uint32_t)) std::uint32_t(0);
    return std::shared_ptr<std::byte[]>(std::move(block), data);
  }
  bytes = (bytes + kLargeHeader + kPage - 1) / kPage * kPage;
  Cache& c = cache();
  void* p = nullptr;
  {
    std::lock_guard lock(c.mutex);
    if (auto it = c.free_by_size.find(bytes); it != c.free_by_size.end() && !it->second.empty()) {
      p = it->second.back();
      it->second.pop_back();
      c.bytes -= bytes;
    }
  }
  if (!p) p = std::aligned_alloc(64, bytes);
  if (!p) throw std::bad_alloc();
  const std::shared_ptr<std::byte[]> block(static_cast<std::byte*>(p), ReturnToCache{bytes});
  std::byte* data = block.get() + kLargeHeader;
  new (data - sizeof(std::uint32_t)) std::uint32_t(0);
  return std::shared_ptr<std::byte[]>(block, data);
}

}  // namespace detail

std::size_t release_cached_buffers() {
  std::size_t released = detail::node_pool_release_empty_slabs();
  detail::Cache& c = detail::cache();
  std::lock_guard lock(c.mutex);
  released += c.bytes;
  for (auto& [bytes, buffers] : c.free_by_size)
    for (void* p : buffers) std::free(p);
  c.free_by_size.clear();
  c.bytes = 0;
  return released;
}

std::size_t cached_buffer_bytes() {
  detail::Cache& c = detail::cache();
  std::lock_guard lock(c.mutex);
  return c.bytes;
}

}  // namespace ag

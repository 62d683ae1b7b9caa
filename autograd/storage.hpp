// SPDX-License-Identifier: MIT
// Tensor buffers. Large ones are recycled through a cache instead of going
// back to the C allocator: glibc returns big blocks to the kernel, and every
// 4 KiB page of the next buffer then costs a page fault when first written
// (a quarter of a 784-512-256-10 MLP training step, measured; docs/design.md,
// "Cost"). Training loops ask for the same sizes every step, so buffers are
// matched by size, rounded up to whole pages.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

namespace ag {

/// Frees every cached tensor buffer (like torch.cuda.empty_cache) and unmaps
/// the scalar-node pool's empty slabs; returns the bytes released. Live
/// tensors and scalars are not affected.
std::size_t release_cached_buffers();
/// Bytes held by the cache, not by any tensor.
std::size_t cached_buffer_bytes();

namespace detail {

/// At least `bytes` of uninitialised storage (64-byte aligned from 64 KiB,
/// 16 below), with a version counter of 0 just before it.
std::shared_ptr<std::byte[]> allocate_storage(std::size_t bytes);

/// The version counter of a buffer from allocate_storage: how many times it
/// was written in place after it was made. Views share their buffer and so
/// their counter.
inline std::uint32_t& storage_version(std::byte* data) {
  return *std::launder(reinterpret_cast<std::uint32_t*>(data - sizeof(std::uint32_t)));
}

}  // namespace detail
}  // namespace ag

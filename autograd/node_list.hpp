// SPDX-License-Identifier: MIT
// A growable array of node pointers for the engine's traversals. Internal.
#pragma once

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>

#include "autograd/node.hpp"

namespace ag::detail {

/// Like std::vector<Node*>, but on malloc/realloc: past glibc's mmap
/// threshold realloc moves the pages (mremap) instead of copying them and
/// faulting in a fresh buffer, which std::vector's growth did (a 2M-node
/// backward spent a tenth of its time there).
class NodeList {
 public:
  NodeList() = default;
  NodeList(const NodeList&) = delete;
  NodeList& operator=(const NodeList&) = delete;
  ~NodeList() { std::free(data_); }
  void push_back(Node* node) {
    if (size_ == capacity_) [[unlikely]]
      grow();
    data_[size_++] = node;
  }
  Node*& back() { return data_[size_ - 1]; }
  void pop_back() { --size_; }
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  Node* operator[](std::size_t i) const { return data_[i]; }
  Node** begin() { return data_; }
  Node** end() { return data_ + size_; }
  void clear() { size_ = 0; }
  void release() {
    std::free(std::exchange(data_, nullptr));
    size_ = capacity_ = 0;
  }

 private:
  void grow() {
    const std::size_t capacity = capacity_ ? 2 * capacity_ : 256;
    void* grown = std::realloc(data_, capacity * sizeof(Node*));
    if (!grown) throw std::bad_alloc();
    data_ = static_cast<Node**>(grown);
#ifdef MADV_POPULATE_WRITE
    // The new half will be written entry by entry: fault it in by one call.
    constexpr std::uintptr_t kPage = 4096;
    const auto from =
        (reinterpret_cast<std::uintptr_t>(data_ + capacity_) + kPage - 1) & ~(kPage - 1);
    const auto to = reinterpret_cast<std::uintptr_t>(data_ + capacity) & ~(kPage - 1);
    if (to > from + (1 << 20))
      madvise(reinterpret_cast<void*>(from), to - from, MADV_POPULATE_WRITE);
#endif
    capacity_ = capacity;
  }
  Node** data_ = nullptr;
  std::size_t size_ = 0, capacity_ = 0;
};

}  // namespace ag::detail

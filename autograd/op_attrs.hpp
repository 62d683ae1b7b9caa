// SPDX-License-Identifier: MIT
// An op's named attributes (dims, constants, saved tensors), stored inside
// its tensor node without a separate allocation. Internal.
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

#include "autograd/error.hpp"

namespace ag::detail {

/// Holds one value of an op's own attribute struct, e.g.
///
///     struct SliceAttrs { int dim; std::int64_t start, step; };
///     node.attrs.emplace(SliceAttrs{d, start, step});   // forward
///     const auto& [dim, start, step] = node.attrs.get<SliceAttrs>();  // backward
///
/// so a backward reads `attrs.step`, never `ints[2]`. Structs may hold
/// tensors (released with the graph); they must fit kBytes.
class OpAttrs {
 public:
  static constexpr std::size_t kBytes = 48;

  OpAttrs() = default;
  OpAttrs(const OpAttrs&) = delete;
  OpAttrs& operator=(const OpAttrs&) = delete;
  ~OpAttrs() { reset(); }

  template <class A>
  A& emplace(A value) {
    static_assert(sizeof(A) <= kBytes && alignof(A) <= alignof(std::max_align_t),
                  "an op's attribute struct must fit OpAttrs::kBytes");
    reset();
    A* stored = new (bytes_) A(std::move(value));
    type_ = &tag<A>;
    if constexpr (!std::is_trivially_destructible_v<A>) {
      destroy_ = [](void* p) { static_cast<A*>(p)->~A(); };
    }
    return *stored;
  }

  /// The stored struct; GraphError if the node holds none of that type (its
  /// graph was released, or a bug: the op reads another op's attributes).
  template <class A>
  const A& get() const {
    if (type_ != &tag<A>) [[unlikely]]
      fail<GraphError>("op attributes: this node holds no attributes of the type asked for");
    return *std::launder(reinterpret_cast<const A*>(bytes_));
  }

  bool empty() const { return type_ == nullptr; }

  /// Destroys the stored struct (its saved tensors with it).
  void reset() noexcept {
    if (destroy_) destroy_(bytes_);
    destroy_ = nullptr;
    type_ = nullptr;
  }

 private:
  template <class A>
  static constexpr char tag = 0;  // its address names the type

  alignas(std::max_align_t) std::byte bytes_[kBytes];
  void (*destroy_)(void*) = nullptr;
  const void* type_ = nullptr;
};

}  // namespace ag::detail

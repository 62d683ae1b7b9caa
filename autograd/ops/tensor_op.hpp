// SPDX-License-Identifier: MIT
// What a tensor op file needs: make a result, record it in the graph, reach
// inputs and the output gradient in backward, accumulate input gradients.
// The same vocabulary as scalar_op.hpp: an op's backward is
// `name_vjp(node, g)` wrapped by run_backward. Implemented in tensor_op.cpp.
// Internal; not installed.
#pragma once

#include <initializer_list>
#include <span>
#include <type_traits>

#include "autograd/grad_mode.hpp"
#include "autograd/ops.hpp"
#include "autograd/ops/vmath.hpp"
#include "autograd/tensor.hpp"

namespace ag::detail {

/// Makes the fresh leaf `out` the result of `op` on `inputs` when gradient
/// mode is on and an input requires a gradient; otherwise leaves it a leaf.
/// Returns whether it recorded; the caller then stores the op's attributes
/// in out.node()->attrs. Inputs beyond two go to node.more.
bool record(Tensor& out, const Op& op, std::span<Node* const> inputs);
inline bool record(Tensor& out, const Op& op, std::initializer_list<Node*> inputs) {
  return record(out, op, std::span<Node* const>(inputs.begin(), inputs.size()));
}

/// The op's attribute struct, stored by its forward (op_attrs.hpp).
template <class A>
const A& attrs(const TensorNode& node) {
  return node.attrs.get<A>();
}

/// Input k of a tensor op's node, as a handle / as the node.
inline TensorNode& input_node(const TensorNode& node, int k) {
  return *as_tensor(k < 2 ? node.in[k] : node.more[k - 2]);
}
Tensor input(const TensorNode& node, int k);
/// A handle to the node itself (its forward output).
Tensor output(TensorNode& node);
/// Whether input k takes a gradient.
inline bool input_wants_grad(const TensorNode& node, int k) {
  return (k < 2 ? node.in[k] : node.more[k - 2])->requires_grad();
}

/// Adds `contribution` into node.grad (nothing when it takes no gradient).
/// A contribution of a broadcast shape is summed down to the node's shape
/// here, the one place broadcasting is undone. While a GradCapture is active
/// (ag::grad), contributions to its listed nodes are collected there and no
/// leaf's .grad changes.
void accumulate_grad(TensorNode& node, const Tensor& contribution);
/// Adds `contribution` into input k's gradient, if it takes one.
inline void accumulate_input(const TensorNode& node, int k, const Tensor& contribution) {
  if (input_wants_grad(node, k)) accumulate_grad(input_node(node, k), contribution);
}

/// Adds g's elements into input k's gradient at strided places (walked as
/// strided_walk walks them), straight into an unshared gradient buffer,
/// allocated as zeros once: a slice's backward touches only its slice.
/// Returns false, doing nothing, when that is not allowed (recording,
/// capturing, a shared gradient); the caller then builds the full
/// contribution and calls accumulate_input.
bool accumulate_strided(const TensorNode& node, int k, const Tensor& g, const Shape& strides,
                        std::int64_t offset);

/// Adds g · other into input k's gradient, if it takes one; fused into the
/// existing gradient (no temporary) when nothing records or captures and
/// that gradient is unshared and of the same shape. With `last_use_of_g`, an
/// unshared g may be multiplied in place and become the gradient (no
/// allocation): the caller must not read g afterwards.
void accumulate_product(const TensorNode& node, int k, const Tensor& g, const Tensor& other,
                        bool last_use_of_g = false);

/// Every tensor op's backward is `run_backward<vjp>`: vjp(node, g) with g
/// the node's gradient, which is dropped first (PyTorch keeps no interior
/// .grad): memory goes early, and create_graph makes no reference cycles.
/// The values it reads are checked against in-place writes first.
/// GraphError if a value the op's backward reads (Op::saves) was written in
/// place after the op was recorded.
void check_saved_versions(const TensorNode& node);

template <void (*vjp)(TensorNode&, const Tensor&)>
void run_backward(Node& node) {
  auto& t = as_tensor(node);
  if (!t.grad.defined()) return;  // nothing reached this node
  if (t.op()->saves) check_saved_versions(t);
  if (t.flags & Node::kRetainsGrad) [[unlikely]] {
    const Tensor grad = t.grad;  // kept: the op must not write into it
    vjp(t, grad);
    return;
  }
  const Tensor grad = std::move(t.grad);
  t.grad = Tensor();
  vjp(t, grad);
}

/// The gradients ag::grad collects instead of accumulating into .grad().
struct GradCapture {
  struct Slot {
    const Node* node;
    Tensor grad;
  };
  std::vector<Slot> slots;
};
extern constinit thread_local GradCapture* active_capture;
class CaptureScope {
 public:
  explicit CaptureScope(GradCapture* capture) : previous_(active_capture) {
    active_capture = capture;
  }
  ~CaptureScope() { active_capture = previous_; }
  CaptureScope(const CaptureScope&) = delete;
  CaptureScope& operator=(const CaptureScope&) = delete;

 private:
  GradCapture* previous_;
};

/// Seeds a tensor root with `gradient` (a tensor node), or ones when null.
void seed_tensor(Node& root, const Node* gradient);

/// Calls row(i, src, inner, step) for each innermost row of `shape`, row i
/// (flat position in `shape`) starting at source element `src`, its
/// `inner` elements `step` apart: the walk of strided_copy and its adjoint.
template <class Row>
void strided_walk(const Shape& shape, const Shape& strides, std::int64_t offset, Row row) {
  std::int64_t n = 1;
  for (std::int64_t s : shape) n *= s;
  if (n == 0) return;
  const std::size_t rank = shape.size();
  if (rank == 0) return row(std::int64_t{0}, offset, std::int64_t{1}, std::int64_t{0});
  std::vector<std::int64_t> index(rank, 0);
  std::int64_t src = offset;
  const std::int64_t inner = shape[rank - 1], step = strides[rank - 1];
  for (std::int64_t i = 0; i < n; i += inner) {
    row(i, src, inner, step);
    for (std::size_t d = rank - 1; d-- > 0;) {
      src += strides[d];
      if (++index[d] < shape[d]) break;
      src -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
}

/// Adds g's elements into `target` (a float tensor of g's dtype, written in
/// place, not recorded) at the places strided_walk(g.shape(), strides,
/// offset) visits: the adjoint of strided_copy, overlaps adding up. The
/// backward of slice and as_strided.
void add_strided(Tensor& target, const Tensor& g, const Shape& strides, std::int64_t offset);

/// x's elements copied in the order of `out_shape`, out dim k walking x with
/// stride `strides[k]` (negative walks backwards) from element `offset`:
/// permute, slice and flip are this copy. Any dtype; records nothing.
Tensor strided_copy(const Tensor& x, const Shape& out_shape, const Shape& strides,
                    std::int64_t offset, std::string_view op);

/// Whether `t` is the only handle to its node and the only user of its
/// buffer: then nobody can see it being overwritten.
inline bool owns_alone(const Tensor& t) {
  return t.node()->refs == 1 && t.node()->storage.use_count() == 1;
}

/// The number `c` in the arithmetic of `like`: T(c) for an element of type
/// T, c itself for a tensor. Lets one formula serve elements and tensors.
template <class V>
auto constant_like(const V&, double c) {
  if constexpr (std::is_arithmetic_v<V>) {
    return static_cast<V>(c);
  } else {
    return c;
  }
}

/// PyTorch's type promotion within our dtypes: the dtype an op on a and b
/// computes in. bool < int64 < a float dtype (int op float -> float, bool op
/// int -> int64); float32 with float64 is a DTypeError naming `op` (convert
/// one with to(): a silent promotion would hide a float64 copy of every
/// activation).
DType result_type(const Tensor& a, const Tensor& b, std::string_view op);
/// The dtype of a floating function of x: x's if floating, else the
/// default float dtype (exp, sqrt, division of integers, as PyTorch).
inline DType floating_type(DType x) { return is_floating(x) ? x : default_dtype(); }
/// x in `dtype`: x itself when it is already, else a converted copy
/// (recorded between float dtypes, as to() is).
inline Tensor as_dtype(const Tensor& x, DType dtype) {
  return x.dtype() == dtype ? x : x.to(dtype);
}

/// Calls f(T{}) for float32, float64 and int64 (the dtypes arithmetic runs
/// in); DTypeError naming `op` for bool.
template <class F>
decltype(auto) visit_numeric(DType dtype, std::string_view op, F&& f) {
  if (dtype == DType::int64) return f(std::int64_t{});
  return visit_floating(dtype, op, f);
}

/// f(x) elementwise in x's dtype (float32, float64 or int64), unrecorded.
template <class F>
Tensor map_numeric(std::string_view op, const Tensor& x, F f) {
  const Tensor in = x.dtype() == DType::boolean ? x.to(DType::int64) : x;
  Tensor out = empty_tensor(in.shape(), in.dtype(), op);
  visit_numeric(in.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    const T* src = in.data<T>();
    T* o = out.data<T>();
    parallel_for(in.numel(), kParallelGrain, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i) o[i] = static_cast<T>(f(src[i]));
    });
  });
  return out;
}

/// What map and map_kernel share: x in its float dtype (integers in the
/// default one), a new output, and range(in, out, n) called on contiguous
/// parts of both, split over the library's threads for large tensors.
template <class Range>
Tensor map_ranges(std::string_view op, const Tensor& x_in, Range range) {
  const Tensor x = as_dtype(x_in, floating_type(x_in.dtype()));
  Tensor out = empty_tensor(x.shape(), x.dtype(), op);
  visit_floating(x.dtype(), op, [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.data<T>();
    T* o = out.data<T>();
    parallel_for(x.numel(), kParallelGrain, [&](std::int64_t begin, std::int64_t end) {
      range(in + begin, o + begin, end - begin);
    });
  });
  return out;
}

/// fn(x) through the vectorised kernels (ops/vmath.hpp) in x's float dtype
/// (integers in the default one), unrecorded; large tensors split over the
/// library's threads.
Tensor map_kernel(std::string_view op, const Tensor& x, vmath::Fn fn, vmath::Params p = {});

/// f(x) elementwise in x's float dtype, unrecorded: an op's forward values.
/// f takes one element (float or double) and returns its result; large
/// tensors are split over the library's threads (f must be pure). An int64
/// or bool x computes in the default float dtype, as PyTorch's exp(int) does.
template <class F>
Tensor map(std::string_view op, const Tensor& x, F f) {
  return map_ranges(op, x, [&](const auto* in, auto* out, std::int64_t n) {
    using T = std::remove_pointer_t<decltype(out)>;
    for (std::int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(f(in[i]));
  });
}

/// The vector-Jacobian product f(g, v) of an elementwise op, with one
/// formula for both paths: f is called on elements (u, y) in one fused
/// pass when nothing records, written into g's own buffer when nobody else
/// holds g; and on the tensors (g, v) themselves, recorded, under
/// create_graph or when shapes or dtypes differ. `v` is the op's saved
/// input or output. The fused pass splits large tensors over the library's
/// threads, as map does.
template <class F>
Tensor elementwise_vjp(const Tensor& g, const Tensor& v, F f) {
  if (is_grad_enabled() || g.shape() != v.shape() || g.dtype() != v.dtype()) return f(g, v);
  Tensor out = owns_alone(g) ? g : empty_tensor(g.shape(), g.dtype(), "backward");
  visit_floating(g.dtype(), "backward", [&](auto zero) {
    using T = decltype(zero);
    T* o = out.node()->template data<T>();
    const T* up = g.template data<T>();
    const T* in = v.template data<T>();
    parallel_for(g.numel(), kParallelGrain, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i) o[i] = f(up[i], in[i]);
    });
  });
  return out;
}

}  // namespace ag::detail

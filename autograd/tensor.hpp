// SPDX-License-Identifier: MIT
// ag::Tensor: an n-dimensional array in the computation graph.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "autograd/dims.hpp"
#include "autograd/dtype.hpp"
#include "autograd/generator.hpp"
#include "autograd/grad_mode.hpp"
#include "autograd/node.hpp"
#include "autograd/op_attrs.hpp"
#include "autograd/scalar.hpp"
#include "autograd/shape.hpp"
#include "autograd/tensor_methods.hpp"

namespace ag {

namespace detail {
struct TensorNode;
}

class Tensor;
struct ValuesIndices;

/// A row-sparse gradient, as an embedding with sparse=true produces:
/// `values[i]` is added to row `rows[i]`; rows may repeat (uncoalesced, as
/// PyTorch's). Both are undefined when there is none.
struct SparseGrad;

/// A tensor node of the graph. Like Scalar, a Tensor is a handle: copies
/// share the node (data, gradient, history). Storage is row-major and
/// always contiguous; reshape shares it, every other op writes a new buffer.
///
///     ag::Tensor w = ag::randn({3, 2}, gen).requires_grad_();
///     ag::Tensor x = ag::Tensor::from({{1.0f, 2.0f, 3.0f}});
///     ag::Tensor loss = ag::sum(ag::tanh(ag::matmul(x, w)));
///     loss.backward();     // w.grad() now holds d(loss)/dw, shape {3, 2}
///
/// Ops record a node only when gradient mode is on (see NoGradGuard) and an
/// input requires a gradient; otherwise the result is a plain leaf.
class Tensor : public TensorMethods {
 public:
  /// An undefined tensor: no node; defined() is false and using it throws
  /// GraphError.
  Tensor() noexcept : node_(nullptr) {}
  /// Copies are handles to the same node (and data), as PyTorch's tensors.
  ///@{
  Tensor(const Tensor& other) noexcept;
  Tensor(Tensor&& other) noexcept : node_(other.node_) { other.node_ = nullptr; }
  Tensor& operator=(Tensor other) noexcept {
    std::swap(node_, other.node_);
    return *this;
  }
  ///@}
  ~Tensor();

  /// A tensor from nested braces: `Tensor::from({{1.0, 2.0}, {3.0, 4.0}})`.
  /// The C++ element type picks the dtype, as NumPy does: float → float32,
  /// double → float64, any integer type → int64 (`from({1, 2, 3})`), bool →
  /// bool. (Factories and layers use default_dtype() instead; convert with
  /// to(), or pass the dtype: `from({1.0, 2.0}, DType::float32)`.)
  ///@{
  template <class T>
  static Tensor from(std::initializer_list<T> values);
  template <class T>
  static Tensor from(std::initializer_list<std::initializer_list<T>> rows);
  template <class T>
  static Tensor from(std::initializer_list<std::initializer_list<std::initializer_list<T>>> mats);
  ///@}
  /// A tensor of `shape` from row-major `values`; ShapeError if the counts differ.
  template <class T>
  static Tensor from(const std::vector<T>& values, const Shape& shape);
  /// The same in a given dtype (a float dtype for float values).
  template <class T>
  static Tensor from(std::initializer_list<T> values, DType dtype) {
    return from(values).to(dtype);
  }

  /// False for a default-constructed (or moved-from) handle.
  bool defined() const { return node_ != nullptr; }
  const Shape& shape() const;                 ///< sizes, one per dim
  std::int64_t size(std::int64_t dim) const;  ///< shape()[dim], negative from the end
  /// The number of dims (0 for a scalar).
  std::int64_t dim() const { return static_cast<std::int64_t>(shape().size()); }
  DType dtype() const;         ///< the element type
  std::int64_t numel() const;  ///< the number of elements

  /// Typed access to the contiguous buffer; DTypeError if T is not the dtype.
  ///@{
  template <class T>
  T* data();
  template <class T>
  const T* data() const;
  ///@}
  /// Element at a full index (negative counts from the end); IndexError if out of range.
  double at(const std::vector<std::int64_t>& index) const;
  /// The single value of a one-element tensor; ShapeError otherwise.
  double item() const;
  /// The same as T, read in the tensor's own dtype (exact for int64), as
  /// LibTorch's `t.item<std::int64_t>()`.
  template <class T>
  T item() const;
  /// All elements as doubles, row-major.
  std::vector<double> to_vector() const;

  /// A copy converted to `dtype` (differentiable between float dtypes);
  /// an op, defined in ops/convert.cpp.
  Tensor to(DType dtype) const;
  /// This tensor: storage is always contiguous. (PyTorch compatibility.)
  Tensor contiguous() const { return *this; }

  /// Whether backward() computes a gradient for this tensor.
  bool requires_grad() const;
  /// Marks a leaf as requiring a gradient (GraphError on an interior node).
  Tensor& requires_grad_(bool required = true);
  /// The same data as a new leaf, cut from the graph.
  Tensor detach() const;
  /// True unless an op that records made this tensor.
  bool is_leaf() const;

  /// d(root)/d(this) accumulated by backward(); an undefined tensor if none.
  /// Interior tensors keep no gradient (as in PyTorch) unless retain_grad().
  Tensor grad() const;
  /// Keeps this interior tensor's gradient after backward (PyTorch's
  /// retain_grad), e.g. to draw it; GraphError if it takes no gradient.
  Tensor& retain_grad();
  /// The row-sparse part of the gradient (embedding with sparse=true).
  const SparseGrad& sparse_grad() const;
  /// Sets the gradient by hand (tests, replaying a recorded gradient).
  void set_grad(const Tensor& grad);
  /// Sets the row-sparse gradient by hand (e.g. the rows gathered from
  /// other processes): rows int64 (k), values (k, the rest of this 2-d
  /// tensor's shape) of its dtype; an undefined SparseGrad clears it.
  /// ShapeError, DTypeError or IndexError naming what does not fit.
  void set_sparse_grad(const SparseGrad& grad);
  /// Drops the gradient (and, through the graph, every interior one).
  void zero_grad() const;

  /// Backpropagates from a one-element tensor (seed 1), or from any tensor
  /// with `grad_output` of its shape and dtype (ShapeError, DTypeError).
  /// Without `retain_graph` the graph's saved inputs are released and a
  /// second backward through it throws GraphError; `create_graph` records the
  /// backward pass so gradients can be differentiated again. `retain_graph`
  /// defaults to `create_graph`, as in PyTorch. Then a leaf's grad() holds a graph that refers
  /// back to the leaf, so the two keep each other alive until zero_grad()
  /// (as in PyTorch); ag::grad() returns such gradients without the cycle.
  /// Defined in functional.cpp, beside ag::grad.
  void backward(const Tensor& grad_output = Tensor(),
                std::optional<bool> retain_graph = std::nullopt, bool create_graph = false) const;

  /// \name Gradient hooks (ops/hooks.cpp), as PyTorch's Tensor.register_hook
  /// and register_post_accumulate_grad_hook. Each returns an id for
  /// remove_hook. A tensor that takes no gradient: GraphError. A hook that
  /// holds a handle to its own tensor keeps that tensor alive.
  ///@{
  /// Calls `hook(grad)` each time a backward has this tensor's whole
  /// gradient for that backward: an interior tensor's before it flows on to
  /// its inputs, a leaf's before it is added into grad(). A hook returning
  /// a tensor (of the gradient's shape and dtype, else ShapeError or
  /// DTypeError) replaces the gradient; one returning void or an undefined
  /// tensor only looks. Hooks run in the order registered; under ag::grad
  /// they see and change the gradient it returns. Row-sparse gradients
  /// (sparse embeddings) are not passed to them.
  template <class Hook>
  requires std::invocable<Hook&, const Tensor&>
  unsigned register_hook(Hook hook) {
    if constexpr (std::is_void_v<std::invoke_result_t<Hook&, const Tensor&>>) {
      return add_grad_hook([hook = std::move(hook)](const Tensor& g) mutable {
        hook(g);
        return Tensor();
      });
    } else {
      return add_grad_hook(std::function<Tensor(const Tensor&)>(std::move(hook)));
    }
  }
  /// For a leaf: calls `hook(tensor)` once its gradient is final in a
  /// backward (every contribution added into grad()), while the backward
  /// goes on with the rest of the graph; not under ag::grad, which adds
  /// nothing. What data-parallel training starts its allreduces from.
  unsigned register_post_accumulate_grad_hook(std::function<void(const Tensor&)> hook);
  /// Removes the hook `id` returned; unknown ids are ignored.
  void remove_hook(unsigned id) const;
  ///@}

  /// The one element of a one-element tensor as a Scalar node of the same
  /// graph: gradients flow from Scalar computations back into the tensor.
  /// An op, defined in ops/convert.cpp.
  Scalar to_scalar() const;

  /// The name diagrams and messages show ("fc1.weight"); set it to name a tensor.
  ///@{
  std::string label() const;
  Tensor& label(std::string text);
  ///@}
  /// The op that made this tensor ("matmul"; "leaf" for a leaf).
  std::string_view op_name() const;

  /// Writes into the buffer (initialisation, optimizer steps):
  /// `t.assign(t - lr * t.grad())`. ShapeError/DTypeError if `values`
  /// differs in shape or dtype. It bumps version(): a recorded op that needs
  /// the old values then refuses to backward (GraphError) instead of
  /// computing a wrong gradient, as PyTorch's in-place checks.
  void assign(const Tensor& values);
  /// Replaces a leaf's buffer, shape and dtype with a copy of `values`
  /// (torch's `t.data = values`): every handle to the leaf sees the new
  /// data, a gradient of another dtype is dropped, and version() rises.
  /// GraphError on an interior tensor. Module::to(dtype) is built on it.
  void set_data(const Tensor& values);
  /// How many times the buffer was written in place since it was made
  /// (assign, optimizer steps, mark_modified); views share it.
  std::uint32_t version() const;
  /// Declares an in-place write through data<T>(): bumps version().
  void mark_modified() const;
  /// Writes `values` (broadcast, converted to this dtype) where `indices`
  /// point, as LibTorch's `t.index_put_({Slice(), 0}, v)`: in place (every
  /// handle sees it, version() rises) unless gradients are being recorded
  /// through it, when this handle takes the recorded result instead (the
  /// gradient flows to `values` and to the places not written). On a leaf
  /// that requires a gradient, outside NoGradGuard: GraphError, as PyTorch.
  ///@{
  Tensor& index_put_(std::initializer_list<TensorIndex> indices, const Tensor& values);
  Tensor& index_put_(std::initializer_list<TensorIndex> indices, double value);
  ///@}

  /// The node behind the handle (for op authors; see node.hpp).
  detail::TensorNode* node() const;
  /// A handle to `node` taking over one reference (for op authors).
  static Tensor adopt(detail::TensorNode* node) noexcept {
    Tensor t;
    t.node_ = node;
    return t;
  }

 private:
  unsigned add_grad_hook(std::function<Tensor(const Tensor&)> hook);
  detail::TensorNode& self() const;
  detail::TensorNode* node_;
};

/// `std::cout << t` prints what fmt::format("{}", t) gives.
std::ostream& operator<<(std::ostream& out, const Tensor& t);

/// A row-sparse gradient (declared above).
struct SparseGrad {
  Tensor rows;    ///< int64, (k)
  Tensor values;  ///< (k, dim)
  /// Whether any rows arrived.
  bool defined() const { return rows.defined(); }
  /// The dense (num_rows, dim) tensor these rows add up to (ops/index.cpp).
  Tensor to_dense(std::int64_t num_rows) const;
};

namespace detail {

/// The node behind a Tensor. Heap-allocated: its buffers dwarf the node.
struct TensorNode : Node {
  std::shared_ptr<std::byte[]> storage;  ///< shared by reshape views; version counter before it
  Shape shape;
  DType dtype = DType::float32;
  Tensor grad;              ///< undefined until a gradient arrives
  SparseGrad sparse_grad;   ///< row-sparse gradient (sparse embeddings)
  std::vector<Node*> more;  ///< inputs beyond in[0], in[1] (owned references)
  OpAttrs attrs;            ///< the op's named attributes (see ops/*.cpp)
  /// Versions of in[0], in[1] and this node when the op was recorded, for
  /// the values its backward reads (Op::saves).
  std::uint32_t saved_versions[3] = {0, 0, 0};
  std::uint32_t scope = 0;  ///< the NameScope it was made in (scope.hpp)

  TensorNode() = default;
  TensorNode(const TensorNode&) = delete;
  TensorNode& operator=(const TensorNode&) = delete;
  ~TensorNode();

  std::int64_t numel() const {
    std::int64_t n = 1;
    for (std::int64_t size : shape) n *= size;
    return n;
  }
  template <class T>
  T* data() const {
    return reinterpret_cast<T*>(storage.get());
  }
};

/// The tensor node kind and the op of tensor leaves (tensor.cpp).
extern const NodeKind tensor_kind;
extern const Op tensor_leaf;

/// Every element as a double, row-major.
std::vector<double> values_of(const TensorNode& t);
/// A new leaf with uninitialised storage.
Tensor empty_tensor(const Shape& shape, DType dtype, std::string_view op = "empty");
inline TensorNode& as_tensor(Node& node) { return static_cast<TensorNode&>(node); }
inline TensorNode* as_tensor(Node* node) { return static_cast<TensorNode*>(node); }
inline const TensorNode& as_tensor(const Node& node) {
  return static_cast<const TensorNode&>(node);
}

}  // namespace detail

// The hot accessors, inline: every op reads shapes and dtypes several times.
inline detail::TensorNode& Tensor::self() const {
  if (!node_) [[unlikely]]
    detail::empty_handle("Tensor");
  return *node_;
}
inline detail::TensorNode* Tensor::node() const { return &self(); }
inline const Shape& Tensor::shape() const { return self().shape; }
inline DType Tensor::dtype() const { return self().dtype; }
inline std::int64_t Tensor::numel() const { return self().numel(); }

template <class T>
T Tensor::item() const {
  if (numel() != 1) {
    detail::fail<ShapeError>("item: the tensor has {} elements {}, not one", numel(), shape());
  }
  return detail::visit_any(dtype(), [&](auto zero) {
    return static_cast<T>(self().template data<decltype(zero)>()[0]);
  });
}
inline bool Tensor::requires_grad() const { return self().requires_grad(); }
inline Tensor::Tensor(const Tensor& other) noexcept : node_(other.node_) {
  if (node_) detail::retain(node_);
}
inline Tensor::~Tensor() {
  if (node_) detail::release(node_);
}

}  // namespace ag

/// \cond FMT
/// `fmt::format("{}", t)`: values in nested brackets like PyTorch's repr
/// (elided past 1000 elements), then shape, dtype, and whether it requires a
/// gradient.
template <>
struct fmt::formatter<ag::Tensor> : fmt::formatter<std::string_view> {
  auto format(const ag::Tensor& t, fmt::format_context& ctx) const -> decltype(ctx.out());
};
/// \endcond

// Tensor::from's and data()'s definitions, and the factories (which return
// Tensors by value), come after the class.
#include "autograd/factory.hpp"      // IWYU pragma: export
#include "autograd/tensor_from.hpp"  // IWYU pragma: export

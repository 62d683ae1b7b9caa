// SPDX-License-Identifier: MIT
// ag::Scalar: a double-precision value in the computation graph.
#pragma once

#include <fmt/format.h>
#include <iosfwd>

#include <bit>
#include <string>
#include <string_view>

#include "autograd/node.hpp"

namespace ag {

namespace detail {
/// The node behind a Scalar: 40 bytes (ScalarNodeWithValue), or 32 when
/// its value need not be stored. One allocation, no std::function.
struct ScalarNode : Node {
  double grad = 0.0;

  /// The op's one attribute: the c of x + c, x * c, pow(x, c). Ops with a
  /// constant have one input, so it lives in the second input's slot (40
  /// bytes a node instead of 48).
  double constant() const {
    return flags & kAttributeInSecondSlot ? std::bit_cast<double>(in[1]) : 0.0;
  }
  /// The value computed in the forward pass. A node of x + c whose x is an
  /// interior node (a value that never changes) does not store it: it is x's
  /// value plus c again, the same addition, so the same double.
  inline double value() const;
};

/// A scalar node that stores its value: every one but the x + c nodes that
/// leave it out (kValueFromInput).
struct ScalarNodeWithValue : ScalarNode {
  double stored_value;
};

inline double ScalarNode::value() const {
  if (flags & kValueFromInput) [[unlikely]]
    return static_cast<const ScalarNodeWithValue*>(in[0])->stored_value + constant();
  return static_cast<const ScalarNodeWithValue*>(this)->stored_value;
}

/// The scalar node kind (scalar.cpp).
extern const NodeKind scalar_kind;

/// Records a scalar node: `op` applied to inputs `a`, `b` (either may be
/// null) gave `value`. Retains the inputs.
ScalarNode* make_scalar(const Op* op, double value, Node* a = nullptr, Node* b = nullptr,
                        double constant = 0.0);
/// Records the node of `a + c` (an op whose value is its input's plus its
/// constant): 32 bytes, no stored value, when `a` is an interior scalar node
/// that stores its own.
ScalarNode* make_scalar_sum(const Op* op, ScalarNode* a, double c);
inline ScalarNode& as_scalar(Node& node) { return static_cast<ScalarNode&>(node); }
inline ScalarNode* as_scalar(Node* node) { return static_cast<ScalarNode*>(node); }
inline const ScalarNode& as_scalar(const Node& node) {
  return static_cast<const ScalarNode&>(node);
}
/// Throws the GraphError for using an empty (default or moved-from) handle.
[[noreturn]] void empty_handle(const char* type);
}  // namespace detail

/// A scalar node of the graph, micrograd's `Value` in C++. A Scalar is a
/// handle: copies share the node, and the node (with every input nothing else
/// uses) is freed when the last handle goes.
///
///     ag::Scalar x = 2.0, y = 3.0;
///     ag::Scalar f = (x * y + x).tanh();
///     f.backward();          // x.grad() == df/dx, y.grad() == df/dy
///
/// A moved-from Scalar refers to nothing; using it throws GraphError, and
/// assigning to it makes it usable again.
///
/// Every operation records a node that remembers its op and inputs;
/// backward() walks them in reverse topological order, iteratively.
class Scalar {
 public:
  /// A leaf holding `value`.
  Scalar(double value = 0.0);
  /// A leaf holding `value`, labelled for diagrams.
  Scalar(double value, std::string label);

  /// Copies are handles to the same node.
  ///@{
  Scalar(const Scalar& other) noexcept : node_(other.node_) {
    if (node_) detail::retain(node_);
  }
  Scalar(Scalar&& other) noexcept : node_(other.node_) { other.node_ = nullptr; }
  Scalar& operator=(Scalar other) noexcept {
    std::swap(node_, other.node_);
    return *this;
  }
  ///@}
  ~Scalar() {
    if (node_) detail::release(node_);
  }

  /// The value computed in the forward pass.
  double value() const { return self().value(); }
  /// d(root)/d(this) from the latest backward(); for leaves, the sum over all
  /// backward() calls since the last zero_grad().
  double grad() const { return self().grad; }
  /// Overwrites a leaf's value (an optimizer step). Throws ValueError on an
  /// interior node, whose value its inputs determine.
  void set_value(double value);
  /// Overwrites this node's gradient (0 to clear a single leaf).
  void set_grad(double grad) { self().grad = grad; }

  /// Backpropagates from this node: seeds d(this)/d(this) = 1 and adds
  /// d(this)/d(leaf) into every leaf's grad. Interior gradients are reset by
  /// each call, leaf gradients accumulate: calling backward() twice doubles
  /// them (as PyTorch with retain_graph=True), so call zero_grad() between
  /// steps.
  void backward() const;
  /// Sets grad to 0 on every node of the graph that ends here.
  void zero_grad() const { detail::zero_grad(&self()); }

  /// The label shown in diagrams ("" when unset).
  std::string label() const { return detail::get_label(&self()); }
  /// Sets the label; returns *this so that `Scalar x = (a * b).label("x")` reads well.
  ///@{
  Scalar& label(std::string label) &;
  Scalar label(std::string label) &&;
  ///@}
  /// The name of the op that produced this node ("leaf" for leaves).
  std::string_view op_name() const { return self().op()->name; }
  /// True unless an op made this node.
  bool is_leaf() const { return self().is_leaf(); }

  Scalar pow(double exponent) const;  ///< x^c,     d/dx = c x^(c-1)
  Scalar exp() const;                 ///< e^x,     d/dx = e^x
  Scalar log() const;                 ///< ln x,    d/dx = 1/x
  Scalar tanh() const;                ///< tanh x,  d/dx = 1 - tanh^2 x
  Scalar sigmoid() const;             ///< σ(x) = 1/(1+e^-x), d/dx = σ(x)(1-σ(x))
  Scalar relu() const;                ///< max(0,x), d/dx = 1 if x > 0 else 0 (0 at 0, as PyTorch)
  Scalar abs() const;                 ///< |x|,     d/dx = sign(x) (0 at 0)

  /// The node; for the engine, the diagram export and op implementations.
  detail::ScalarNode* node() const { return &self(); }
  /// Adopts a freshly made node (reference count already 1).
  static Scalar adopt(detail::ScalarNode* node) noexcept { return Scalar(node); }

 private:
  explicit Scalar(detail::ScalarNode* node) noexcept : node_(node) {}
  /// The node; a moved-from Scalar has none and throws GraphError on use.
  detail::ScalarNode& self() const {
    if (!node_) [[unlikely]]
      detail::empty_handle("Scalar");
    return *node_;
  }
  detail::ScalarNode* node_;
};

///@{
/// Arithmetic. A plain number on either side is stored as the op's constant,
/// not as a leaf, so `2 * x` records one node. Defined in ops/scalar_arith.cpp.
Scalar operator+(const Scalar& a, const Scalar& b);
Scalar operator-(const Scalar& a, const Scalar& b);
Scalar operator*(const Scalar& a, const Scalar& b);
Scalar operator/(const Scalar& a, const Scalar& b);
Scalar operator+(const Scalar& a, double c);
Scalar operator+(double c, const Scalar& a);
Scalar operator-(const Scalar& a, double c);
Scalar operator-(double c, const Scalar& a);
Scalar operator*(const Scalar& a, double c);
Scalar operator*(double c, const Scalar& a);
Scalar operator/(const Scalar& a, double c);
Scalar operator/(double c, const Scalar& a);
Scalar operator-(const Scalar& a);
///@}

///@{
/// Compound assignment: `a += b` is `a = a + b` (a new node).
inline Scalar& operator+=(Scalar& a, const Scalar& b) { return a = a + b; }
inline Scalar& operator-=(Scalar& a, const Scalar& b) { return a = a - b; }
inline Scalar& operator*=(Scalar& a, const Scalar& b) { return a = a * b; }
inline Scalar& operator/=(Scalar& a, const Scalar& b) { return a = a / b; }
inline Scalar& operator+=(Scalar& a, double c) { return a = a + c; }
inline Scalar& operator-=(Scalar& a, double c) { return a = a - c; }
inline Scalar& operator*=(Scalar& a, double c) { return a = a * c; }
inline Scalar& operator/=(Scalar& a, double c) { return a = a / c; }
///@}

///@{
/// Free-function spellings, for generic code written like `<cmath>`.
inline Scalar pow(const Scalar& x, double c) { return x.pow(c); }
inline Scalar exp(const Scalar& x) { return x.exp(); }
inline Scalar log(const Scalar& x) { return x.log(); }
inline Scalar tanh(const Scalar& x) { return x.tanh(); }
inline Scalar sigmoid(const Scalar& x) { return x.sigmoid(); }
inline Scalar relu(const Scalar& x) { return x.relu(); }
inline Scalar abs(const Scalar& x) { return x.abs(); }
///@}

/// `std::cout << x` prints what fmt::format("{}", x) gives.
std::ostream& operator<<(std::ostream& out, const Scalar& x);

}  // namespace ag

/// \cond FMT
/// `fmt::format("{}", x)` gives `Scalar(value=0.5, grad=0)`; a format spec
/// applies to both numbers: `{:.3f}`.
template <>
struct fmt::formatter<ag::Scalar> : fmt::formatter<double> {
  template <class Context>
  auto format(const ag::Scalar& x, Context& ctx) const {
    auto out = fmt::format_to(ctx.out(), "Scalar(value=");
    ctx.advance_to(out);
    out = fmt::formatter<double>::format(x.value(), ctx);
    out = fmt::format_to(out, ", grad=");
    ctx.advance_to(out);
    out = fmt::formatter<double>::format(x.grad(), ctx);
    return fmt::format_to(out, ")");
  }
};
/// \endcond

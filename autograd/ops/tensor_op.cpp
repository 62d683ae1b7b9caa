// SPDX-License-Identifier: MIT
// Op support for tensor ops (tensor_op.hpp): recording, input handles,
// gradient accumulation, the tensor seed.
#include "autograd/ops/tensor_op.hpp"

#include "autograd/anomaly.hpp"
#include "autograd/storage.hpp"

namespace ag::detail {

constinit thread_local GradCapture* active_capture = nullptr;

namespace {

// AnomalyMode: an op's result must be finite where its inputs were.
void check_forward(const Tensor& out, const Op& op, std::span<Node* const> inputs) {
  const std::uint64_t number = ++anomaly_ops;
  if (tensor_kind.value_is_finite(*out.node())) return;
  std::string shapes, labels;
  for (Node* input : inputs) {
    if (!input) continue;
    if (!input->op()->kind->value_is_finite(*input)) return;  // not new here
    shapes += (shapes.empty() ? "" : ", ") + input->op()->kind->view->describe_short(*input);
    const std::string label = get_label(input);
    if (!label.empty()) labels += (labels.empty() ? "" : ", ") + label;
  }
  if (anomaly_backward_of) {
    fail<AnomalyError>(
        "anomaly: the backward of '{}' produced NaN or infinity (in its '{}', from finite {})",
        anomaly_backward_of, op.name, shapes);
  }
  fail<AnomalyError>(
      "anomaly: '{}' (op #{} since AnomalyMode began) produced NaN or infinity "
      "from finite inputs ({}){}",
      op.name, number, shapes, labels.empty() ? "" : " labelled " + labels);
}

void add_in_place(Tensor& target, const Tensor& value) {
  visit_floating(target.dtype(), "accumulate_grad", [&](auto zero) {
    using T = decltype(zero);
    T* out = target.data<T>();
    const T* in = value.data<T>();
    for (std::int64_t i = 0, n = target.numel(); i < n; ++i) out[i] += in[i];
  });
}

Tensor handle_of(const Node* node) {
  auto* t = as_tensor(const_cast<Node*>(node));
  retain(t);
  return Tensor::adopt(t);
}

}  // namespace

bool record(Tensor& out, const Op& op, std::span<Node* const> inputs) {
  if (anomaly_enabled) [[unlikely]]
    check_forward(out, op, inputs);
  if (!is_grad_enabled()) return false;
  bool any = false;
  for (Node* input : inputs) any = any || (input && input->requires_grad());
  if (!any) return false;
  TensorNode& node = *out.node();
  node.set_op(&op);
  node.set_requires_grad(true);
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    if (inputs[k]) retain(inputs[k]);
    if (k < 2) {
      node.in[k] = inputs[k];
    } else {
      node.more.push_back(inputs[k]);  // beyond two: the kind's more_inputs
    }
  }
  if (op.saves & kSavesInputs) {
    for (int k = 0; k < 2; ++k) {
      const Node* in = node.in[k];
      if (in && in->op()->kind->version) node.saved_versions[k] = in->op()->kind->version(*in);
    }
  }
  if (op.saves & kSavesOutput) node.saved_versions[2] = storage_version(node.storage.get());
  return true;
}

void check_saved_versions(const TensorNode& node) {
  auto check = [&](const Node* value, std::uint32_t recorded, std::string_view which) {
    if (!value || !value->op()->kind->version) return;
    const std::uint32_t now = value->op()->kind->version(*value);
    if (now == recorded) return;
    fail<GraphError>(
        "backward: '{}' needs the value of its {} ({}), which was written in place after '{}' "
        "used it (version {} now, {} then: Tensor::assign or an optimizer step); compute it "
        "again after the write, or write to a copy",
        node.op()->name, which, value->op()->kind->view->describe_short(*value), node.op()->name,
        now, recorded);
  };
  if (node.op()->saves & kSavesInputs) {
    check(node.in[0], node.saved_versions[0], "input 0");
    check(node.in[1], node.saved_versions[1], "input 1");
  }
  if (node.op()->saves & kSavesOutput) check(&node, node.saved_versions[2], "output");
}

DType result_type(const Tensor& x, const Tensor& y, std::string_view op) {
  const DType a = x.dtype(), b = y.dtype();
  if (a == b) return a;
  if (is_floating(a) && is_floating(b)) {
    fail<DTypeError>("{}: dtypes differ ({} {} and {} {}); convert one with to()", op, a, x.shape(),
                     b, y.shape());
  }
  if (is_floating(a)) return a;
  if (is_floating(b)) return b;
  return DType::int64;  // bool with int64
}

Tensor map_kernel(std::string_view op, const Tensor& x, vmath::Fn fn, vmath::Params p) {
  return map_ranges(
      op, x, [&](const auto* in, auto* out, std::int64_t n) { vmath::apply(fn, in, out, n, p); });
}

Tensor input(const TensorNode& node, int k) { return handle_of(&input_node(node, k)); }

Tensor output(TensorNode& node) { return handle_of(&node); }

void accumulate_grad(TensorNode& node, const Tensor& contribution) {
  if (!node.requires_grad()) return;
  if (contribution.dtype() != node.dtype) {
    fail<DTypeError>("backward: a {} gradient reached a {} tensor of shape {} (op '{}')",
                     contribution.dtype(), node.dtype, node.shape, node.op()->name);
  }
  Tensor summed = contribution;
  if (contribution.shape() != node.shape) {
    // Broadcasting stretched the input: its gradient is summed back here.
    if (!broadcasts_to(node.shape, contribution.shape())) {
      fail<ShapeError>("backward: a gradient of shape {} reached a tensor of shape {} (op '{}')",
                       contribution.shape(), node.shape, node.op()->name);
    }
    summed = sum_to(contribution, node.shape);
  }
  if (active_capture) [[unlikely]] {
    for (auto& slot : active_capture->slots) {
      if (slot.node == &node) slot.grad = slot.grad.defined() ? slot.grad + summed : summed;
    }
    if (node.is_leaf()) return;
  }
  if (!node.grad.defined()) {
    node.grad = summed;
  } else if (!is_grad_enabled() && owns_alone(node.grad)) {
    add_in_place(node.grad, summed);  // nobody else can see the old value
  } else {
    node.grad = node.grad + summed;
  }
}

bool accumulate_strided(const TensorNode& node, int k, const Tensor& g, const Shape& strides,
                        std::int64_t offset) {
  if (!input_wants_grad(node, k)) return true;
  TensorNode& target = input_node(node, k);
  Tensor& grad = target.grad;
  if (is_grad_enabled() || active_capture || g.dtype() != target.dtype ||
      (grad.defined() && !owns_alone(grad))) {
    return false;
  }
  if (!grad.defined()) grad = zeros(target.shape, target.dtype);
  add_strided(grad, g, strides, offset);
  return true;
}

void add_strided(Tensor& target, const Tensor& g, const Shape& strides, std::int64_t offset) {
  visit_floating(g.dtype(), "backward", [&](auto zero) {
    using T = decltype(zero);
    const T* in = g.data<T>();
    T* o = target.data<T>();
    strided_walk(g.shape(), strides, offset,
                 [&](std::int64_t i, std::int64_t dst, std::int64_t inner, std::int64_t step) {
                   if (step == 1) {  // contiguous: vectorisable
                     for (std::int64_t e = 0; e < inner; ++e) o[dst + e] += in[i + e];
                   } else {
                     for (std::int64_t e = 0; e < inner; ++e) o[dst + e * step] += in[i + e];
                   }
                 });
  });
}

void accumulate_product(const TensorNode& node, int k, const Tensor& g, const Tensor& other,
                        bool last_use_of_g) {
  if (!input_wants_grad(node, k)) return;
  TensorNode& target = input_node(node, k);
  Tensor& grad = target.grad;
  const auto product = [](auto u, auto y) { return u * y; };
  const bool plain = !is_grad_enabled() && !active_capture && g.shape() == target.shape &&
                     other.shape() == target.shape && g.dtype() == target.dtype &&
                     other.dtype() == target.dtype;
  // The gradient flowing back, used for the last time and held by nobody
  // else: multiply in its own buffer and hand it on, with no allocation.
  if (plain && last_use_of_g && !grad.defined() && owns_alone(g)) {
    grad = elementwise_vjp(g, other, product);
    return;
  }
  // The common case of a repeated use (a weight in every step of a chain):
  // add g·other into a gradient nobody else holds, with no temporary.
  if (plain && grad.defined() && owns_alone(grad)) {
    visit_floating(target.dtype, "accumulate_grad", [&](auto zero) {
      using T = decltype(zero);
      T* out = grad.data<T>();
      const T* a = g.data<T>();
      const T* b = other.data<T>();
      for (std::int64_t i = 0, n = grad.numel(); i < n; ++i) out[i] += product(a[i], b[i]);
    });
    return;
  }
  accumulate_grad(target, product(g, other));
}

void seed_tensor(Node& root, const Node* gradient) {
  auto& t = as_tensor(root);
  accumulate_grad(t, gradient ? handle_of(gradient) : ones(t.shape, t.dtype));
}

namespace {
// out (.., rows, cols) from source planes read down their columns (source
// stride 1 along rows, `step` along cols): a transpose, copied in square
// tiles so that both the reads and the writes stay in cache.
template <class T>
void transpose_planes(const T* in, T* o, const Shape& out_shape, const Shape& strides,
                      std::int64_t offset) {
  const std::size_t rank = out_shape.size();
  const std::int64_t rows = out_shape[rank - 2], cols = out_shape[rank - 1];
  const std::int64_t step = strides[rank - 1];
  const Shape outer(out_shape.begin(), out_shape.end() - 2);
  const Shape outer_strides(strides.begin(), strides.end() - 2);
  constexpr std::int64_t kTile = 32;
  std::int64_t plane = 0;
  strided_walk(outer, outer_strides, offset,
               [&](std::int64_t, std::int64_t src, std::int64_t n, std::int64_t outer_step) {
                 for (std::int64_t p = 0; p < n; ++p, ++plane) {
                   const T* from = in + src + p * outer_step;
                   T* to = o + plane * rows * cols;
                   for (std::int64_t r0 = 0; r0 < rows; r0 += kTile) {
                     for (std::int64_t c0 = 0; c0 < cols; c0 += kTile) {
                       const std::int64_t r1 = std::min(rows, r0 + kTile),
                                          c1 = std::min(cols, c0 + kTile);
                       for (std::int64_t r = r0; r < r1; ++r)
                         for (std::int64_t c = c0; c < c1; ++c)
                           to[r * cols + c] = from[r + c * step];
                     }
                   }
                 }
               });
}
}  // namespace

Tensor strided_copy(const Tensor& x, const Shape& out_shape, const Shape& strides,
                    std::int64_t offset, std::string_view op) {
  Tensor out = empty_tensor(out_shape, x.dtype(), op);
  const std::size_t rank = out_shape.size();
  const bool transposing = rank >= 2 && strides[rank - 2] == 1 && strides[rank - 1] > 1 &&
                           out_shape[rank - 2] >= 8 && out_shape[rank - 1] >= 8;
  visit_any(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.data<T>();
    T* o = out.data<T>();
    if (transposing && out.numel() > 0) return transpose_planes(in, o, out_shape, strides, offset);
    strided_walk(out_shape, strides, offset,
                 [&](std::int64_t i, std::int64_t src, std::int64_t inner, std::int64_t step) {
                   if (step == 1 && inner >= 16) {  // a long contiguous row: a memcpy
                     std::copy(in + src, in + src + inner, o + i);
                   } else {
                     for (std::int64_t k = 0; k < inner; ++k) o[i + k] = in[src + k * step];
                   }
                 });
  });
  return out;
}

}  // namespace ag::detail

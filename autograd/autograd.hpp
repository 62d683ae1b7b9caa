// SPDX-License-Identifier: MIT
// autograd: reverse-mode automatic differentiation for C++20.
//
// The model. Every operation records a node: its value, the op that produced
// it, and handles to its inputs. There are two kinds of node on one engine:
// ag::Scalar holds a double (micrograd's Value), ag::Tensor an n-dimensional
// float32/float64 array. The nodes form a directed acyclic graph that ends
// at the value you differentiate (the root, usually a loss).
// root.backward() seeds d(root)/d(root) = 1 and visits the graph in reverse
// topological order; each op adds its local derivative times its output's
// gradient into each input's gradient (a vector-Jacobian product, the chain
// rule one edge at a time). When a value is used twice, both contributions
// add up.
//
//     #include <autograd/autograd.hpp>
//
//     ag::Scalar w{0.5, "w"}, x{2.0, "x"};
//     ag::Scalar loss = (w * x - 1.0).pow(2).label("loss");
//     loss.backward();
//     fmt::print("{}\n", w);  // Scalar(value=0.5, grad=0)
//
//     ag::Generator gen(0);
//     ag::Tensor W = ag::randn({3, 2}, gen).requires_grad_();
//     ag::Tensor out = ag::sum(ag::tanh(ag::matmul(ag::ones({4, 3}), W)));
//     out.backward();  // W.grad(): d(out)/dW, shape {3, 2}
//
// Scalars and tensors share one graph and one backward(): t * s scales a
// tensor by a Scalar, t.to_scalar() turns a one-element tensor into one.
//
// Memory. Scalars and Tensors are handles: copies share a node, and nodes
// are freed (iteratively, so graphs of any depth) when the last handle to
// them and to everything built from them goes. Nothing to size, nothing to
// free. A tensor graph's saved values go after a backward() without
// retain_graph.
//
// Gradients. Interior gradients belong to one backward(); leaf gradients
// accumulate until zero_grad(), as in PyTorch. Tensor gradients are written
// with tensor ops, so with create_graph they differentiate again.
//
// Threads. A graph belongs to one thread at a time; separate graphs may be
// built and differentiated on separate threads. Large matrix products and
// optimizer updates are split over the library's own threads
// (set_num_threads, parallel_for: parallel.hpp).
//
// Where things live (public headers):
//   scalar.hpp       ag::Scalar, its arithmetic and functions
//   tensor.hpp       ag::Tensor and its methods (x.sum(1): the op of that name)
//   factory.hpp      zeros, randn, arange, randint, multinomial, ... (via tensor.hpp)
//   ops.hpp          every tensor op; each family in one file under ops/
//   dims.hpp         ag::Dims: the dims a reduction takes (1, {0, 2}, or all)
//   parallel.hpp     set_num_threads, parallel_for: the library's threads
//   functional.hpp   grad, jacobian, hessian, gradcheck
//   custom_op.hpp    user-defined ops with their own backward
//   trace.hpp        trace_backward: the chain rule's factors, step by step
//   dot.hpp          diagrams: to_dot, render (SVG/PNG), retain_grads
//   walkthrough.hpp  render_html: the backward pass stepped through in a browser
//   scope.hpp        NameScope: ops named by module, drawn as clusters
//   error.hpp        the exception types
//   grad_mode.hpp    NoGradGuard
//   anomaly.hpp      AnomalyMode: find the op that made a NaN
//   generator.hpp    seeded random numbers
//   storage.hpp      the tensor buffer cache
//   dtype.hpp, shape.hpp   element types (set_default_dtype), shapes, broadcasting
//   node.hpp, op_attrs.hpp the engine's node, op and kind tables (for op authors)
//   version.hpp      AG_VERSION_MAJOR/MINOR/PATCH, ag::version() (generated)
// Internal: engine.cpp (sort, teardown), sweep.cpp (backward, zero_grad),
// graph_walk.hpp, labels.cpp, node_list.hpp, node_pool.* (scalar node memory), scalar.cpp and
// tensor.cpp (the two node kinds), factory.cpp, tensor_format.cpp, ops/tensor_op.* and
// ops/scalar_op.hpp (what op files share), ops/kernels.hpp (loops),
// ops/gemm.* (matrix-product kernels), ops/methods.cpp (Tensor's methods),
// render.cpp. docs/design.md draws the
// layers and the rule for which file may include which.
#pragma once

#include "autograd/anomaly.hpp"
#include "autograd/autocast.hpp"
#include "autograd/custom_op.hpp"
#include "autograd/dot.hpp"
#include "autograd/error.hpp"
#include "autograd/functional.hpp"
#include "autograd/generator.hpp"
#include "autograd/grad_mode.hpp"
#include "autograd/ops.hpp"
#include "autograd/scalar.hpp"
#include "autograd/storage.hpp"
#include "autograd/tensor.hpp"
#include "autograd/trace.hpp"
#include "autograd/version.hpp"
#include "autograd/walkthrough.hpp"

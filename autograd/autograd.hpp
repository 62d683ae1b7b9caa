// autograd: reverse-mode automatic differentiation for C++20.
//
// The model. Every operation on a Scalar records a node: its value, the op
// that produced it, and handles to its inputs. The nodes form a directed
// acyclic graph that ends at the value you differentiate (the root, usually
// a loss). root.backward() seeds d(root)/d(root) = 1 and visits the graph in
// reverse topological order; each op adds its local derivative times its
// output's gradient into each input's gradient (a vector-Jacobian product,
// the chain rule one edge at a time). When a value is used twice, both
// contributions add up.
//
//     #include <autograd/autograd.hpp>
//
//     ag::Scalar w{0.5, "w"}, x{2.0, "x"};
//     ag::Scalar loss = (w * x - 1.0).pow(2).label("loss");
//     loss.backward();
//     fmt::print("{}\n", w);  // Scalar(value=0.5, grad=0)
//     ag::render(loss, "loss.svg");
//
// Memory. Scalars are handles: copies share a node, and nodes are freed
// (iteratively, so graphs of any depth) when the last handle to them and to
// everything built from them goes. Nothing to size, nothing to free.
//
// Gradients. Interior gradients are recomputed by each backward(); leaf
// gradients accumulate until zero_grad(), as in PyTorch.
//
// Threads. A graph belongs to one thread at a time; separate graphs may be
// built and differentiated on separate threads.
//
// Tensors. ag::Tensor is the same idea for n-d arrays (float32/float64):
//
//     ag::Tensor w = ag::randn({3, 2}, gen).requires_grad_();
//     ag::Tensor loss = ag::sum(ag::tanh(ag::matmul(x, w)));
//     loss.backward();  // w.grad(): d(loss)/dw, shape {3, 2}
//
// Scalars and tensors share one graph and one backward().
//
// Where things live: scalar.hpp (Scalar), tensor.hpp (Tensor), ops.hpp
// (every tensor op), functional.hpp (grad, jacobian, hessian, gradcheck),
// dot.hpp (diagrams), error.hpp (exceptions), grad_mode.hpp (NoGradGuard),
// generator.hpp (seeded random numbers), node.hpp (the engine's node).
#pragma once

#include "autograd/anomaly.hpp"
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

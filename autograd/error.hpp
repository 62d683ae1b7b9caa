// SPDX-License-Identifier: MIT
// Typed errors. Every error the library raises goes through detail::fail, so
// messages are fmt-formatted, lower-case and name the operation at fault.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <utility>

namespace ag {

/// An argument has a value the operation cannot accept (bad flag, bad file
/// extension, mutating a value that is not a leaf...).
class ValueError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Shapes do not fit the operation: broadcast mismatch, matmul inner
/// dimensions, reshape to another element count, a dim out of range.
class ShapeError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// A tensor has a dtype the operation does not take (an int64 tensor in a
/// differentiable op, mixing float32 and float64).
class DTypeError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// An index is out of range (element access, index_select, embedding).
class IndexError : public std::out_of_range {
 public:
  using std::out_of_range::out_of_range;
};

/// The graph cannot do what was asked: backward through a graph already
/// freed, backward from a non-scalar root without a gradient, a gradient
/// asked of a tensor that does not require one.
class GraphError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// A file cannot be read or written, or is not what it should be (a
/// truncated or corrupted checkpoint, a malformed data line).
class FileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// AnomalyMode found a NaN or infinity: the message names the op, its
/// inputs' shapes, and where in the program it was created.
class AnomalyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A diagram could not be rendered: Graphviz is missing or failed.
class RenderError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

/// The one funnel for raising errors: `fail<ValueError>("op: {} is bad", x)`.
template <class Error, class... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace detail
}  // namespace ag

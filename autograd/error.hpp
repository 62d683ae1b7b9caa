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

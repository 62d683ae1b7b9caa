// The example's one way to raise an error: an exception of the library's
// types with a fmt-formatted message.
#pragma once

#include <fmt/format.h>

#include <utility>

namespace sentiment {

template <class Error, class... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace sentiment

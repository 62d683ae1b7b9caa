// SPDX-License-Identifier: MIT
// How the example reports errors: an exception of the library's types with
// a fmt-formatted message, quoting input briefly and safely, and input
// files that must be regular files.
#pragma once

#include <fmt/format.h>

#include <fstream>
#include <string>
#include <string_view>
#include <utility>

namespace sentiment {

template <class Error, class... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

/// At most `limit` bytes of `text` for an error message, control bytes
/// escaped (\x1b, \n, ...) and "..." where it was cut: a 50 MB line or a
/// terminal escape sequence in a data file stays out of the terminal.
std::string excerpt(std::string_view text, std::size_t limit = 60);

/// `path` opened for reading; ag::FileError naming it and `what` it should
/// be when it is missing or not a regular file (a directory, a FIFO that
/// would block, /dev/zero that would never end).
std::ifstream open_input(const std::string& path, std::string_view what);

}  // namespace sentiment

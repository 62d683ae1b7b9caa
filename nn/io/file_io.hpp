// SPDX-License-Identifier: MIT
// File access shared by checkpoints, safetensors and ag::dist's checkpoint
// loading: bounded reads of regular files, atomic writes.
#pragma once

#include <string>
#include <string_view>

namespace ag::io {

/// The bytes of the regular file `path` (a directory, FIFO or device is a
/// FileError before anything is read), at most the size it had when
/// opened. Errors start with `what` ("checkpoint", "safetensors").
std::string read_regular_file(const std::string& path, std::string_view what);

/// Writes `bytes` to `path` through a unique temporary file beside it,
/// flushed and renamed into place, the directory flushed; on any failure
/// the temporary file is gone and `path` is untouched (FileError).
void write_atomically(const std::string& bytes, const std::string& path, std::string_view what);

}  // namespace ag::io

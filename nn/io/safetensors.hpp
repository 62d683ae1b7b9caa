// SPDX-License-Identifier: MIT
// The safetensors format, in which PyTorch users exchange weights: an
// 8-byte little-endian header length N, N bytes of JSON
//   {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
//    ..., "__metadata__": {"format": "pt"}}
// and the raw little-endian data the offsets point into.
//
//     ag::io::save_safetensors(model.state_dict(), "model.safetensors");
//     model.load_state_dict(ag::io::load_safetensors("from_pytorch.safetensors"));
#pragma once

#include <map>
#include <string>

#include "autograd/nn/state_dict.hpp"

namespace ag::io {

using nn::StateDict;

/// Writes named tensors (F32, F64, I64, BOOL) to `path` atomically, with an
/// optional "__metadata__" of strings; FileError naming the path on failure.
void save_safetensors(const StateDict& tensors, const std::string& path,
                      const std::map<std::string, std::string>& metadata = {});

/// Reads a safetensors file (a regular file only). F32, F64, I64 and BOOL
/// load as they are; F16 and BF16 as float32, I32, I16, I8 and U8 as int64.
/// Every size is checked against the file before any allocation: the
/// header's length, each tensor's shape against its byte range, ranges
/// inside the data and not overlapping. FileError naming the path and the
/// entry otherwise.
StateDict load_safetensors(const std::string& path);
/// The same from a file's bytes; `path` only names it in errors.
StateDict parse_safetensors(const std::string& bytes, const std::string& path);
/// The "__metadata__" strings of a safetensors file's bytes.
std::map<std::string, std::string> safetensors_metadata(const std::string& bytes,
                                                        const std::string& path);

}  // namespace ag::io

// SPDX-License-Identifier: MIT
// Checkpoints: a module's parameters and buffers, and an optimizer's state,
// in one documented binary file (docs/nn.md, "Checkpoint format").
//
// Layout, little-endian:
//   magic "AGCKPT" 0x00 0x01 (8 bytes) | u32 version (1) | u32 entry count
//   per entry: u32 name length | name (UTF-8) | u8 dtype (0 float32,
//     1 float64, 2 int64, 3 bool) | u8 rank | i64 size per dim | data
//     (row-major, numel × dtype size bytes)
//   u64 FNV-1a hash of every byte before it
//
// Writes go to a fresh temporary file beside the target (mkstemp: unique per
// writer, never a followed symlink), are flushed to disk and renamed into
// place, and the directory is flushed: a crash or a concurrent writer never
// leaves a half-written checkpoint, and a failed write leaves no temporary
// file behind. Loads accept regular files only, read at most the size the
// file had when opened, and check the whole file (sizes against its length
// before any allocation, then the hash, names, shapes and dtypes) before
// touching the model: on any error the model and the optimizer are exactly
// as they were.
#pragma once

#include <string>

#include "autograd/nn/module.hpp"
#include "autograd/nn/optim/optimizer.hpp"
#include "autograd/nn/optim/scheduler.hpp"
#include "autograd/nn/state_dict.hpp"

namespace ag::io {

using nn::StateDict;

/// Writes named tensors to `path` atomically; FileError naming the path and
/// the system's reason on any failure (`path` is then unchanged).
void save_tensors(const StateDict& tensors, const std::string& path);
/// Reads and verifies a file written by save_tensors; FileError naming the
/// path and what is wrong (missing, not a regular file, truncated, bad magic,
/// unknown version, hash mismatch).
StateDict load_tensors(const std::string& path);
/// The same from the bytes of such a file; `path` only names it in errors.
/// Sizes in the header are checked against the bytes present before any
/// allocation, so hostile input costs no more memory than its own length.
StateDict parse_tensors(const std::string& bytes, const std::string& path);

/// Saves a model's parameters and buffers ("model.<name>") and, if given,
/// an optimizer's state ("optim.<name>") and a schedule's ("sched.<name>").
void save_checkpoint(const std::string& path, const nn::Module& model,
                     const optim::Optimizer* optimizer = nullptr,
                     const optim::Scheduler* scheduler = nullptr);
/// Restores what save_checkpoint wrote. The file must hold exactly the
/// model's parameter and buffer names, with the same shapes and dtypes
/// (FileError otherwise, model and optimizer unchanged).
/// A scheduler's state is restored after the optimizer's (it sets the
/// learning rates).
void load_checkpoint(const std::string& path, nn::Module& model,
                     optim::Optimizer* optimizer = nullptr, optim::Scheduler* scheduler = nullptr);
/// load_checkpoint's second half: restores the entries of a checkpoint
/// already read (load_tensors, or parse_tensors of its bytes, e.g. bytes
/// broadcast from another process); `path` only names it in errors.
void restore_checkpoint(const StateDict& file, const std::string& path, nn::Module& model,
                        optim::Optimizer* optimizer = nullptr,
                        optim::Scheduler* scheduler = nullptr);

}  // namespace ag::io

// SPDX-License-Identifier: MIT
#include "autograd/nn/io/checkpoint.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <bit>
#include <cstring>

#include <cerrno>
#include <filesystem>
#include <map>

#include "autograd/error.hpp"
#include "autograd/nn/io/file_io.hpp"
#include "autograd/ops.hpp"

namespace ag::io {
namespace {

static_assert(std::endian::native == std::endian::little, "the format is little-endian");

constexpr char kMagic[8] = {'A', 'G', 'C', 'K', 'P', 'T', 0, 1};
constexpr std::uint32_t kVersion = 1;

std::uint64_t fnv1a(const std::string& bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

template <class T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

// Reads from a byte string, failing cleanly past its end.
class Reader {
 public:
  Reader(const std::string& bytes, std::size_t end, const std::string& path)
      : bytes_(bytes), end_(end), path_(path) {}
  template <class T>
  T get(const char* what) {
    T value;
    std::memcpy(&value, take(sizeof value, what), sizeof value);
    return value;
  }
  const char* take(std::size_t n, const char* what) {
    if (n > end_ - at_) {
      ag::detail::fail<FileError>("checkpoint '{}': truncated while reading {} (byte {} of {})",
                                  path_, what, at_, end_);
    }
    const char* p = bytes_.data() + at_;
    at_ += n;
    return p;
  }
  std::size_t position() const { return at_; }

 private:
  const std::string& bytes_;
  std::size_t end_, at_ = 0;
  const std::string& path_;
};

}  // namespace

void save_tensors(const StateDict& tensors, const std::string& path) {
  std::string out(kMagic, sizeof kMagic);
  put(out, kVersion);
  put(out, static_cast<std::uint32_t>(tensors.size()));
  for (const auto& [name, t] : tensors) {
    put(out, static_cast<std::uint32_t>(name.size()));
    out += name;
    put(out, static_cast<std::uint8_t>(t.dtype()));
    put(out, static_cast<std::uint8_t>(t.dim()));
    for (std::int64_t size : t.shape()) put(out, size);
    out.append(reinterpret_cast<const char*>(t.node()->storage.get()),
               t.numel() * dtype_size(t.dtype()));
  }
  put(out, fnv1a(out));
  write_atomically(out, path, "checkpoint");
}

StateDict load_tensors(const std::string& path) {
  return parse_tensors(read_regular_file(path, "checkpoint"), path);
}

StateDict parse_tensors(const std::string& bytes, const std::string& path) {
  if (bytes.size() < sizeof kMagic + 16 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    ag::detail::fail<FileError>(
        "checkpoint '{}': not an autograd checkpoint (bad magic or too short, "
        "{} bytes)",
        path, bytes.size());
  }
  const std::size_t body = bytes.size() - sizeof(std::uint64_t);
  Reader in(bytes, body, path);
  in.take(sizeof kMagic, "magic");
  const auto version = in.get<std::uint32_t>("version");
  if (version != kVersion) {
    ag::detail::fail<FileError>(
        "checkpoint '{}': version {} is not supported (this build reads {})", path, version,
        kVersion);
  }
  std::uint64_t stored;
  std::memcpy(&stored, bytes.data() + body, sizeof stored);
  if (stored != fnv1a(bytes.substr(0, body))) {
    ag::detail::fail<FileError>("checkpoint '{}': checksum mismatch (the file is corrupted)", path);
  }
  const auto count = in.get<std::uint32_t>("entry count");
  StateDict out;
  for (std::uint32_t e = 0; e < count; ++e) {
    const auto name_length = in.get<std::uint32_t>("a name length");
    const std::string name(in.take(name_length, "a name"), name_length);
    const auto dtype_code = in.get<std::uint8_t>("a dtype");
    if (dtype_code > static_cast<std::uint8_t>(DType::boolean)) {
      ag::detail::fail<FileError>("checkpoint '{}': '{}' has unknown dtype code {}", path, name,
                                  dtype_code);
    }
    const auto dtype = static_cast<DType>(dtype_code);
    const auto rank = in.get<std::uint8_t>("a rank");
    if (rank > Shape::kMaxRank) {
      ag::detail::fail<FileError>("checkpoint '{}': '{}' has {} dims", path, name, rank);
    }
    Shape shape;
    std::uint64_t numel = 1;
    for (int d = 0; d < rank; ++d) {
      const auto size = in.get<std::int64_t>("a size");
      // Cap by the bytes left, so a lying header cannot cause a huge allocation.
      if (size < 0 ||
          (size > 0 && numel > (body - in.position()) / static_cast<std::uint64_t>(size))) {
        ag::detail::fail<FileError>("checkpoint '{}': '{}' claims size {} beyond the file's length",
                                    path, name, size);
      }
      numel *= static_cast<std::uint64_t>(size);
      shape.push_back(size);
    }
    const std::size_t data_bytes = numel * dtype_size(dtype);
    const char* data = in.take(data_bytes, "tensor data");
    if (dtype == DType::boolean) {  // any other byte would be an invalid bool
      const auto* end = data + data_bytes;
      if (const auto* bad = std::find_if(data, end, [](char c) { return c != 0 && c != 1; });
          bad != end) {
        ag::detail::fail<FileError>("checkpoint '{}': bool tensor '{}' holds byte {} (not 0 or 1)",
                                    path, name, static_cast<int>(static_cast<unsigned char>(*bad)));
      }
    }
    Tensor t;
    try {
      t = empty(shape, dtype);
    } catch (const ShapeError& e) {  // sizes no tensor may have ({0, 2^62, 2})
      ag::detail::fail<FileError>("checkpoint '{}': '{}' has shape {}: {}", path, name, shape,
                                  e.what());
    }
    std::memcpy(t.node()->storage.get(), data, data_bytes);
    out.emplace_back(name, t);
  }
  if (in.position() != body) {
    ag::detail::fail<FileError>("checkpoint '{}': {} unexpected bytes after the last entry", path,
                                body - in.position());
  }
  return out;
}

void save_checkpoint(const std::string& path, const nn::Module& model,
                     const optim::Optimizer* optimizer, const optim::Scheduler* scheduler) {
  StateDict all;
  for (const auto& [name, t] : model.named_parameters()) all.emplace_back("model." + name, t);
  for (const auto& [name, t] : model.named_buffers()) all.emplace_back("model." + name, t);
  if (optimizer) {
    for (const auto& [name, t] : optimizer->state_dict()) all.emplace_back("optim." + name, t);
  }
  if (scheduler) {
    for (const auto& [name, t] : scheduler->state_dict()) all.emplace_back("sched." + name, t);
  }
  save_tensors(all, path);
}

void load_checkpoint(const std::string& path, nn::Module& model, optim::Optimizer* optimizer,
                     optim::Scheduler* scheduler) {
  restore_checkpoint(load_tensors(path), path, model, optimizer, scheduler);
}

void restore_checkpoint(const StateDict& file, const std::string& path, nn::Module& model,
                        optim::Optimizer* optimizer, optim::Scheduler* scheduler) {
  std::map<std::string, Tensor> stored;
  StateDict optimizer_state, scheduler_state;
  for (const auto& [name, t] : file) {
    if (name.rfind("model.", 0) == 0) {
      stored[name.substr(6)] = t;
    } else if (name.rfind("optim.", 0) == 0) {
      optimizer_state.emplace_back(name.substr(6), t);
    } else if (name.rfind("sched.", 0) == 0) {
      scheduler_state.emplace_back(name.substr(6), t);
    } else {
      ag::detail::fail<FileError>("checkpoint '{}': unexpected entry '{}'", path, name);
    }
  }
  auto targets = model.named_parameters();
  for (auto& entry : model.named_buffers()) targets.push_back(entry);
  // Check everything, then copy: a mismatch leaves the model untouched.
  for (const auto& [name, t] : targets) {
    const auto it = stored.find(name);
    if (it == stored.end()) {
      ag::detail::fail<FileError>("checkpoint '{}': no entry for the model's '{}'", path, name);
    }
    if (it->second.shape() != t.shape() || it->second.dtype() != t.dtype()) {
      ag::detail::fail<FileError>(
          "checkpoint '{}': '{}' is {} {} in the file but {} {} in the model", path, name,
          it->second.dtype(), it->second.shape(), t.dtype(), t.shape());
    }
  }
  if (stored.size() != targets.size()) {
    ag::detail::fail<FileError>("checkpoint '{}': the file has {} model entries, the model {}",
                                path, stored.size(), targets.size());
  }
  if (optimizer && optimizer_state.empty()) {
    ag::detail::fail<FileError>("checkpoint '{}': holds no optimizer state", path);
  }
  if (scheduler && scheduler_state.empty()) {
    ag::detail::fail<FileError>("checkpoint '{}': holds no scheduler state", path);
  }
  // Each load_state_dict validates before changing anything; the optimizer's
  // old state (and rates) come back if the scheduler's then fails.
  const StateDict optimizer_before = optimizer ? optimizer->state_dict() : StateDict{};
  std::vector<double> lrs_before;
  for (std::size_t g = 0; optimizer && g < optimizer->num_groups(); ++g) {
    lrs_before.push_back(optimizer->lr(g));
  }
  try {
    if (optimizer) optimizer->load_state_dict(optimizer_state);
    if (scheduler) scheduler->load_state_dict(scheduler_state);
  } catch (const ValueError& e) {
    if (optimizer) {
      optimizer->load_state_dict(optimizer_before);
      for (std::size_t g = 0; g < lrs_before.size(); ++g) optimizer->set_lr(g, lrs_before[g]);
    }
    ag::detail::fail<FileError>("checkpoint '{}': {}", path, e.what());
  }
  for (auto& [name, t] : targets) t.assign(stored.at(name));
}

}  // namespace ag::io

// SPDX-License-Identifier: MIT
#include "autograd/nn/io/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "autograd/error.hpp"

namespace ag::io {

// The file's bytes: a regular file only (a directory, a FIFO or /dev/zero
// is refused before anything is read), read up to the size it had when
// opened, so a read is bounded whatever the path turns out to be.
std::string read_regular_file(const std::string& path, std::string_view what) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    ag::detail::fail<FileError>("{}: cannot open '{}': {}", what, path, std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    ag::detail::fail<FileError>("{}: cannot stat '{}': {}", what, path, std::strerror(errno));
  }
  if (!S_ISREG(info.st_mode)) {
    ag::detail::fail<FileError>("{}: '{}' is not a regular file ({})", what, path,
                                S_ISDIR(info.st_mode) ? "a directory" : "a device, FIFO or socket");
  }
  std::string bytes(static_cast<std::size_t>(info.st_size), '\0');
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      ag::detail::fail<FileError>("{}: error reading '{}': {}", what, path, std::strerror(errno));
    if (n == 0) break;  // shrank while being read: the parser reports it truncated
    done += static_cast<std::size_t>(n);
  }
  bytes.resize(done);
  return bytes;
}

// Writes `bytes` to `path` atomically: a fresh temporary file in the same
// directory (mkstemp: unique, created with O_EXCL, so two writers never share
// it and a planted symlink is never followed), flushed to disk, renamed over
// `path`, and the directory flushed so the rename survives a power loss. On
// any failure the temporary file is removed and `path` is untouched.
void write_atomically(const std::string& bytes, const std::string& path, std::string_view what) {
  const std::filesystem::path target(path);
  const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : ".";
  std::string temp = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) {
    ag::detail::fail<FileError>("{}: cannot create a temporary file beside '{}': {}", what, path,
                                std::strerror(errno));
  }
  auto fail_with = [&](const char* call) {
    const int error = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    ag::detail::fail<FileError>("{}: cannot write '{}' ({}: {})", what, path, call,
                                std::strerror(error));
  };
  struct stat existing {};
  const mode_t mode = ::stat(path.c_str(), &existing) == 0 ? existing.st_mode & 0777 : 0644;
  if (::fchmod(fd, mode) != 0) fail_with("fchmod");
  for (std::size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail_with("write");
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) fail_with("fsync");
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    ag::detail::fail<FileError>("{}: cannot write '{}' (close: {})", what, path,
                                std::strerror(error));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    ag::detail::fail<FileError>("{}: cannot move the new file into place as '{}': {}", what, path,
                                std::strerror(error));
  }
  if (const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir_fd >= 0) {
    ::fsync(dir_fd);  // best effort: the rename is done either way
    ::close(dir_fd);
  }
}

}  // namespace ag::io

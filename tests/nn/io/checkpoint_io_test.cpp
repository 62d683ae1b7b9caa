// SPDX-License-Identifier: MIT
// nn/io/checkpoint.cpp against the file system: what is not a regular file,
// writers that race, a disk that fills, a planted symlink.
#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "autograd/nn/nn.hpp"

using namespace ag;
namespace fs = std::filesystem;

namespace {

// A fresh directory of its own, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string name = (fs::temp_directory_path() / "autograd-io-XXXXXX").string();
    path = ::mkdtemp(name.data());
  }
  ~TempDir() { fs::remove_all(path); }
  std::string operator/(const char* name) const { return (path / name).string(); }
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(path), {}));
  }
};

std::shared_ptr<nn::Sequential> model(double value) {
  auto net = nn::MLP({64, 64, 2}, "tanh");
  for (Tensor p : net->parameters()) p.assign(full(p.shape(), value));
  return net;
}

}  // namespace

TEST_CASE("checkpoint io: a directory, a FIFO or a device is refused, naming the path") {
  TempDir dir;
  auto net = model(0.5);
  const std::string before = fmt::format("{}", net->parameters()[0]);
  CHECK_THROWS_AS(io::load_checkpoint(dir.path.string(), *net), FileError);
  const std::string expected = dir.path.string() + "' is not a regular file (a directory)";
  CHECK_THROWS_WITH(io::load_checkpoint(dir.path.string(), *net),
                    doctest::Contains(expected.c_str()));
  const std::string fifo = dir / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_AS(io::load_checkpoint(fifo, *net), FileError);  // and does not wait for a writer
  CHECK_THROWS_AS(io::load_checkpoint("/dev/zero", *net), FileError);  // and does not read forever
  CHECK(fmt::format("{}", net->parameters()[0]) == before);
}

TEST_CASE("checkpoint io: concurrent writers to one path never leave a torn file") {
  TempDir dir;
  const std::string path = dir / "model.bin";
  auto a = model(1.0), b = model(2.0);
  io::save_checkpoint(path, *a);
  std::atomic<bool> stop = false;
  std::atomic<int> bad_reads = 0, reads = 0;
  auto writer = [&](const nn::Module& m) {
    for (int i = 0; i < 40; ++i) io::save_checkpoint(path, m);
  };
  std::thread reader([&] {
    auto into = model(0.0);
    while (!stop) {
      try {
        io::load_checkpoint(path, *into);
        const double v = into->parameters()[0].to_vector()[0];
        if (v != 1.0 && v != 2.0) ++bad_reads;
      } catch (const FileError&) {
        ++bad_reads;  // a 0-byte file or a checksum mismatch: a torn write
      }
      ++reads;
    }
  });
  std::thread w1(writer, std::cref(*a)), w2(writer, std::cref(*b));
  w1.join();
  w2.join();
  stop = true;
  reader.join();
  CHECK(reads > 0);
  CHECK(bad_reads == 0);
  CHECK(dir.entries() == 1);  // no temporary file left behind
}

TEST_CASE("checkpoint io: a failed write leaves no temporary file and the old checkpoint") {
  TempDir dir;
  const std::string path = dir / "model.bin";
  io::save_checkpoint(path, *model(1.0));
  const auto size = fs::file_size(path);
  // A disk that fills: writes past 4 KiB fail (EFBIG) while the limit holds.
  rlimit old{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &old) == 0);
  const auto previous = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = old;
  small.rlim_cur = 4096;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
  CHECK_THROWS_AS(io::save_checkpoint(path, *model(2.0)), FileError);
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, previous);
  CHECK(dir.entries() == 1);
  CHECK(fs::file_size(path) == size);
  auto into = model(0.0);
  io::load_checkpoint(path, *into);
  CHECK(into->parameters()[0].to_vector()[0] == 1.0);
}

TEST_CASE("checkpoint io: a planted <path>.tmp symlink is not followed") {
  TempDir dir;
  const std::string path = dir / "model.bin", victim = dir / "victim";
  std::ofstream(victim) << "precious";
  fs::create_symlink(victim, path + ".tmp");
  io::save_checkpoint(path, *model(1.0));
  std::ifstream in(victim);
  std::string text;
  in >> text;
  CHECK(text == "precious");
  CHECK(fs::is_regular_file(fs::symlink_status(path)));
}

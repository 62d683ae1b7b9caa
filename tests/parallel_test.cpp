// SPDX-License-Identifier: MIT
// The library's threads (parallel.hpp): parallel_for covers its range once,
// runs slices at the same time, rethrows, nests, serves several callers, and
// survives fork; a lower thread count parks workers rather than ending them.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "autograd/autograd.hpp"

namespace {
// Restores the thread count a test changed.
struct ThreadCount {
  int before = ag::get_num_threads();
  explicit ThreadCount(int threads) { ag::set_num_threads(threads); }
  ~ThreadCount() { ag::set_num_threads(before); }
};
}  // namespace

TEST_CASE("parallel_for: every item once, slices aligned, small loops on the caller") {
  for (const int threads : {1, 2, 3, 5}) {
    const ThreadCount count(threads);
    for (const std::int64_t n : {1, 15, 16, 17, 100, 1000, 4099}) {
      for (const std::int64_t grain : {1, 16, 64, 5000}) {
        CAPTURE(threads);
        CAPTURE(n);
        CAPTURE(grain);
        std::vector<std::atomic<int>> seen(static_cast<std::size_t>(n));
        std::atomic<int> slices{0}, misaligned{0};
        ag::parallel_for(n, grain, [&](std::int64_t begin, std::int64_t end) {
          ++slices;
          if (begin % 16 != 0) ++misaligned;
          for (std::int64_t i = begin; i < end; ++i) ++seen[static_cast<std::size_t>(i)];
        });
        int wrong = 0;
        for (const auto& s : seen) wrong += s != 1;
        CHECK(wrong == 0);
        CHECK(misaligned == 0);
        CHECK(slices <= threads);
        if (n < 2 * grain) CHECK(slices == 1);
      }
    }
  }
  ag::parallel_for(0, 1, [](std::int64_t, std::int64_t) { FAIL("called for an empty range"); });
  ag::parallel_for(10, 1, [](std::int64_t b, std::int64_t e) { return e - b; });  // value ignored
}

TEST_CASE("parallel_for: slices run at the same time, on the library's workers") {
  const ThreadCount count(2);
  // Slice 0 waits (a bounded number of looks, no clock) until slice 1 has
  // started: only a second thread can start it while slice 0 runs.
  std::atomic<bool> second_started{false};
  std::atomic<bool> waited_for_it{false};
  std::thread::id first, second;
  ag::parallel_for(64, 32, [&](std::int64_t begin, std::int64_t) {
    if (begin == 0) {
      first = std::this_thread::get_id();
      for (long looks = 0; looks < 100'000'000 && !second_started; ++looks)
        std::this_thread::yield();
      waited_for_it = second_started.load();
    } else {
      second = std::this_thread::get_id();
      second_started = true;
    }
  });
  CHECK(waited_for_it);
  CHECK(first != second);
}

TEST_CASE("parallel_for: an exception in a slice reaches the caller; the threads go on") {
  const ThreadCount count(2);
  for (const std::int64_t failing : {0, 64}) {
    CAPTURE(failing);
    CHECK_THROWS_WITH_AS(ag::parallel_for(128, 64,
                                          [&](std::int64_t begin, std::int64_t) {
                                            if (begin == failing) throw std::runtime_error("slice");
                                          }),
                         "slice", std::runtime_error);
  }
  std::atomic<std::int64_t> total{0};
  ag::parallel_for(1000, 10, [&](std::int64_t begin, std::int64_t end) { total += end - begin; });
  CHECK(total == 1000);
}

TEST_CASE("parallel_for: nested loops and several calling threads get every item") {
  const ThreadCount count(2);
  std::atomic<std::int64_t> nested{0};
  ag::parallel_for(64, 16, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i)
      ag::parallel_for(100, 10, [&](std::int64_t b, std::int64_t e) { nested += e - b; });
  });
  CHECK(nested == 64 * 100);

  // Four threads at once (one gets the workers, the others run their slices
  // themselves), each with products split the same way.
  std::vector<std::thread> callers;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&wrong, t] {
      ag::Generator gen(static_cast<std::uint64_t>(t) + 1);
      const ag::Tensor a = ag::randn({96, 128}, gen, ag::DType::float64);
      const ag::Tensor b = ag::randn({128, 80}, gen, ag::DType::float64);
      const ag::Tensor want = ag::matmul(a, b);
      for (int round = 0; round < 50; ++round) {
        std::atomic<std::int64_t> total{0};
        ag::parallel_for(5000, 100, [&](std::int64_t b0, std::int64_t e0) { total += e0 - b0; });
        const ag::Tensor got = ag::matmul(a, b);
        wrong += total != 5000;
        wrong += ag::max(ag::abs(got - want)).item() > 1e-12;
      }
    });
  }
  for (std::thread& caller : callers) caller.join();
  CHECK(wrong == 0);
}

TEST_CASE(
    "elementwise ops, column sums, bias adds and their gradients: the same bits on 1 or 3 "
    "threads") {
  // 3 x 40,000 elements: split at 3 threads (32,768 a slice at least).
  const auto run = [](int threads) {
    const ThreadCount count(threads);
    ag::Generator gen(9);
    std::vector<ag::Tensor> results;
    for (const ag::DType dtype : {ag::DType::float32, ag::DType::float64}) {
      const ag::Tensor x = ag::randn({300, 400}, gen, dtype).requires_grad_();
      const ag::Tensor b = ag::randn({400}, gen, dtype).requires_grad_();
      // Products by the identity are exact however they are split, so what
      // is compared is the bias add and the elementwise ops around them.
      const ag::Tensor identity = ag::eye(400, dtype);
      const ag::Tensor y = ag::tanh(ag::relu(ag::linear(x, identity, b))) + ag::exp(x * 0.1);
      ag::sum(y * y).backward();
      for (const ag::Tensor& t : {y, ag::sum(x, 0), x.grad(), b.grad()})
        results.push_back(t.detach().contiguous());
    }
    return results;
  };
  const std::vector<ag::Tensor> one = run(1), three = run(3);
  REQUIRE(one.size() == three.size());
  for (std::size_t i = 0; i < one.size(); ++i) {
    CAPTURE(i);
    const std::vector<double> p = one[i].to_vector(), q = three[i].to_vector();
    int differ = 0;
    for (std::size_t j = 0; j < p.size(); ++j) differ += p[j] != q[j];
    CHECK(differ == 0);
  }
}

namespace {
// The threads of this process that are running or runnable (state R in
// /proc/self/task/<tid>/stat), this one included.
int runnable_threads() {
  int running = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream stat(task.path() / "stat");
    std::string line;
    std::getline(stat, line);
    const std::size_t after_name = line.rfind(')');
    if (after_name != std::string::npos && after_name + 2 < line.size() &&
        line[after_name + 2] == 'R')
      ++running;
  }
  return running;
}

// The kernel's ids of this process's threads (new threads get new ids).
std::set<std::string> threads_in_process() {
  std::set<std::string> ids;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task"))
    ids.insert(task.path().filename().string());
  return ids;
}

// The distinct threads that ran slices of `jobs` two-slice loops. Slice 0
// waits (a bounded number of looks) for slice 1 to start, so that a worker,
// whichever is awake and counted, takes slice 1 rather than the caller.
std::size_t threads_running_slices(int jobs) {
  std::mutex lock;
  std::set<std::thread::id> ids;
  for (int job = 0; job < jobs; ++job) {
    std::atomic<bool> second_started{false};
    ag::parallel_for(64, 32, [&](std::int64_t begin, std::int64_t end) {
      if (begin > 0) second_started = true;
      for (int looks = 0; end < 64 && !second_started && looks < 1000000; ++looks)
        std::this_thread::yield();
      const std::lock_guard guard(lock);
      ids.insert(std::this_thread::get_id());
    });
  }
  return ids.size();
}
}  // namespace

TEST_CASE("a lower thread count parks the surplus workers: asleep, reused when it rises again") {
  const ThreadCount count(4);
  (void)threads_running_slices(1);  // three workers exist from here on
  const std::set<std::string> threads = threads_in_process();
  ag::set_num_threads(1);
  // Parked workers sleep: soon only this thread is runnable (a bounded
  // number of looks, no clock; a spinning worker would stay runnable).
  int looks = 0;
  while (runnable_threads() > 1 && ++looks < 100000) std::this_thread::yield();
  CHECK(runnable_threads() == 1);
  CHECK(threads_running_slices(50) == 1);
  // At two, one worker takes parts and the other two stay parked.
  ag::set_num_threads(2);
  CHECK(threads_running_slices(300) == 2);
  ag::set_num_threads(4);  // the same workers woken again: none ended, none started
  CHECK(threads_running_slices(1) >= 1);
  CHECK(threads_in_process() == threads);
}

// ThreadSanitizer does not support threads started after a multi-threaded fork.
#if !defined(__SANITIZE_THREAD__)
TEST_CASE("a forked child splits its products on workers of its own") {
  const ThreadCount count(2);
  ag::Generator gen(5);
  const ag::Tensor a = ag::randn({200, 150}, gen, ag::DType::float64);
  const ag::Tensor b = ag::randn({150, 120}, gen, ag::DType::float64);
  const ag::Tensor want = ag::matmul(a, b);  // the parent's workers are running now
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {  // no doctest in here: report by exit status only
    const bool same = ag::max(ag::abs(ag::matmul(a, b) - want)).item() < 1e-12;
    _exit(same ? 0 : 1);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
#endif

// SPDX-License-Identifier: MIT
// The library's worker threads. A call hands its parts to the workers by
// bumping a generation counter and runs part 0 itself; each worker runs its
// part and counts down `unfinished`. Waiting first spins (a product's parts
// take tens of microseconds, a sleep and wake-up about as long), then sleeps
// on the counter (C++20 atomic wait: a futex, no system call while nobody
// sleeps), so idle workers burn no core.
#include "autograd/parallel.hpp"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "autograd/error.hpp"

namespace ag {
namespace detail {
namespace {

// Looks at a counter (with a pause, ~25 ns here) before sleeping on it: about
// 0.2 ms, longer than the gaps between the products of a training step.
constexpr int kSpinLooks = 1 << 13;

template <class T>
T wait_while_equal(const std::atomic<T>& counter, T value) {
  for (int look = 0; look < kSpinLooks; ++look) {
    const T now = counter.load(std::memory_order_acquire);
    if (now != value) return now;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  for (T now; (now = counter.load(std::memory_order_acquire)) == value;) counter.wait(value);
  return counter.load(std::memory_order_acquire);
}

constinit thread_local bool inside_part = false;

struct Pool {
  std::mutex user;  // held by the one call using the workers (and while resizing)
  // Changed under `user`; gemm_backends.cpp sets OpenBLAS's default at load.
  std::atomic<int> wanted{static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))};
  std::vector<std::thread> workers;  // wanted - 1 of them once started

  // The current job, written under `user` before `generation` moves on.
  void (*task)(void*, int) = nullptr;  // nullptr: the workers end
  void* context = nullptr;
  int parts = 0;
  std::mutex failure_lock;
  std::exception_ptr failure;

  std::atomic<std::uint32_t> generation{0};
  std::atomic<int> next_part{0};  // parts are claimed in order by whoever is free
  std::atomic<int> unfinished{0};

  void run_claimed() {
    for (int part; (part = next_part.fetch_add(1, std::memory_order_relaxed)) < parts;) run(part);
  }

  void run(int part) {
    inside_part = true;
    try {
      task(context, part);
    } catch (...) {
      const std::lock_guard lock(failure_lock);
      if (!failure) failure = std::current_exception();
    }
    inside_part = false;
  }

  void work(std::uint32_t seen) {
    for (;;) {
      seen = wait_while_equal(generation, seen);
      const bool end = task == nullptr;
      if (!end) run_claimed();
      if (unfinished.fetch_sub(1, std::memory_order_acq_rel) == 1) unfinished.notify_all();
      if (end) return;
    }
  }

  // With `user` held: hands the job out and waits until every worker is done.
  void hand_out() {
    unfinished.store(static_cast<int>(workers.size()), std::memory_order_relaxed);
    next_part.store(0, std::memory_order_relaxed);
    generation.fetch_add(1, std::memory_order_release);
    generation.notify_all();
    if (task) run_claimed();
    for (int left; (left = unfinished.load(std::memory_order_acquire)) != 0;)
      wait_while_equal(unfinished, left);
  }

  void start_workers() {
    const std::uint32_t now = generation.load(std::memory_order_relaxed);
    while (static_cast<int>(workers.size()) < wanted.load() - 1) {
      workers.emplace_back([this, now] { work(now); });
    }
  }

  void stop_workers() {
    if (workers.empty()) return;
    task = nullptr;
    hand_out();
    for (std::thread& worker : workers) worker.join();
    workers.clear();
  }
};

// Made at first use and never destroyed: workers may outlive static
// destruction at exit. A forked child has none of the parent's threads: it
// gets a fresh pool (the parent's is left as it was, unreachable).
Pool* pool = nullptr;
std::once_flag pool_made;
Pool& the_pool() {
  std::call_once(pool_made, [] {
    pool = new Pool;
    pthread_atfork([] { pool->user.lock(); }, [] { pool->user.unlock(); },
                   [] {
                     const int wanted = pool->wanted.load();
                     pool = new Pool;
                     pool->wanted = wanted;
                   });
  });
  return *pool;
}

}  // namespace

void run_parts(int parts, void (*task)(void*, int), void* context) {
  if (parts <= 1 || inside_part) {
    for (int part = 0; part < parts; ++part) task(context, part);
    return;
  }
  Pool& p = the_pool();
  std::unique_lock lock(p.user, std::try_to_lock);
  if (!lock) {  // another thread has the workers
    for (int part = 0; part < parts; ++part) task(context, part);
    return;
  }
  p.start_workers();
  p.task = task;
  p.context = context;
  p.parts = parts;
  p.failure = nullptr;
  p.hand_out();
  if (p.failure) std::rethrow_exception(std::exchange(p.failure, nullptr));
}

}  // namespace detail

int get_num_threads() { return detail::the_pool().wanted.load(std::memory_order_relaxed); }

void set_num_threads(int threads) {
  if (threads < 1) detail::fail<ValueError>("set_num_threads: {} is not a positive count", threads);
  detail::Pool& p = detail::the_pool();
  const std::lock_guard lock(p.user);
  if (threads == p.wanted) return;
  p.stop_workers();
  p.wanted = threads;
}

namespace detail {

Range part_range(std::int64_t n, int parts, int part, std::int64_t align) {
  const std::int64_t per_part = (n + parts - 1) / parts;
  const std::int64_t chunk = (per_part + align - 1) / align * align;
  const std::int64_t begin = std::min(n, chunk * part);
  return {begin, std::min(n, begin + chunk)};
}

}  // namespace detail
}  // namespace ag

// SPDX-License-Identifier: MIT
// The library's worker threads. A call posts a job (its task and number of
// parts), wakes the workers by bumping `generation`, and takes parts itself;
// whoever is free claims the next part, and the call returns once every part
// is done, without waiting for a worker that took none (one still asleep,
// say). Waiting first spins (a product's parts take tens of microseconds, a
// sleep and wake-up about as long), then sleeps on the counter (C++20 atomic
// wait: a futex, no system call while nobody sleeps), so idle workers burn
// no core. Lowering the thread count parks the surplus workers (asleep until
// the count rises again) rather than ending them: a new thread would start
// with an empty malloc cache, and oneDNN's per-call scratch then lands on
// fresh pages for its first calls of each shape (~20 faults a P3 step for
// 30 steps after each switch, measured on a host where a fault costs 9 us).
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
  T now;
  while ((now = counter.load(std::memory_order_acquire)) == value) counter.wait(value);
  return now;
}

constinit thread_local bool inside_part = false;
constexpr int kMostParts = 0xffff;  // a job's part count fits 16 bits of `claim`

struct Pool {
  std::mutex user;  // held by the one call using the workers (and while resizing)
  // Changed under `user`; gemm_backends.cpp sets OpenBLAS's default at load.
  std::atomic<int> wanted{static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))};
  std::vector<std::thread> workers;      // at least wanted - 1 once started; never end
  std::atomic<std::uint32_t> roster{0};  // bumped when `wanted` changes: parked workers wait on it

  // The posted job. A part is claimed by moving `claim` (the job's number,
  // its part count and the next part, in one word) on from the value that
  // names that job, so a worker that looks late cannot take a part of a newer
  // job by mistake. task and context are read only after a claim succeeded:
  // the job cannot end (and be replaced) before that part is done.
  std::atomic<void (*)(void*, int)> task{nullptr};
  std::atomic<void*> context{nullptr};
  std::atomic<std::uint64_t> claim{0};
  std::atomic<int> done{0};
  std::atomic<std::uint32_t> generation{0};  // the job's number: workers wait on it
  std::mutex failure_lock;
  std::exception_ptr failure;

  static std::uint64_t posted(std::uint32_t job, int parts) {
    return std::uint64_t{job} << 32 | static_cast<std::uint64_t>(parts) << 16;
  }

  // Runs parts of job `job` while any is left.
  void take_parts(std::uint32_t job) {
    std::uint64_t seen = claim.load(std::memory_order_acquire);
    for (;;) {
      const int count = static_cast<int>(seen >> 16 & 0xffffu),
                part = static_cast<int>(seen & 0xffffu);
      if (seen >> 32 != job || part >= count) return;
      if (!claim.compare_exchange_weak(seen, seen + 1, std::memory_order_acquire)) continue;
      inside_part = true;
      try {
        task.load(std::memory_order_relaxed)(context.load(std::memory_order_relaxed), part);
      } catch (...) {
        const std::lock_guard lock(failure_lock);
        if (!failure) failure = std::current_exception();
      }
      inside_part = false;
      if (done.fetch_add(1, std::memory_order_acq_rel) + 1 == count) done.notify_all();
      seen = claim.load(std::memory_order_acquire);
    }
  }

  // Worker `index` takes parts while the count includes it (index < wanted - 1).
  bool counted(int index) const { return index < wanted.load(std::memory_order_acquire) - 1; }

  void work(int index, std::uint32_t seen) {
    for (;;) {
      seen = wait_while_equal(generation, seen);
      if (counted(index)) {
        take_parts(seen);
        continue;
      }
      // Parked: asleep on the roster, not woken by jobs, until counted again.
      for (std::uint32_t now = roster.load(std::memory_order_acquire); !counted(index);
           now = roster.load(std::memory_order_acquire))
        roster.wait(now, std::memory_order_acquire);
    }
  }

  // With `user` held: posts the job, takes parts, waits until all are done.
  void run(void (*job_task)(void*, int), void* job_context, int job_parts) {
    const std::uint32_t job = generation.load(std::memory_order_relaxed) + 1;
    task.store(job_task, std::memory_order_relaxed);
    context.store(job_context, std::memory_order_relaxed);
    done.store(0, std::memory_order_relaxed);
    failure = nullptr;
    claim.store(posted(job, job_parts), std::memory_order_release);
    generation.store(job, std::memory_order_release);
    generation.notify_all();
    take_parts(job);
    for (int now; (now = done.load(std::memory_order_acquire)) != job_parts;)
      wait_while_equal(done, now);
  }

  void start_workers() {
    const std::uint32_t now = generation.load(std::memory_order_relaxed);
    while (static_cast<int>(workers.size()) < wanted.load() - 1) {
      const int index = static_cast<int>(workers.size());
      workers.emplace_back([this, index, now] { work(index, now); });
    }
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
  Pool& p = the_pool();
  std::unique_lock lock(p.user, std::defer_lock);
  // One after another on this thread: nothing to split, inside a part, or
  // another thread has the workers.
  if (parts <= 1 || parts > kMostParts || inside_part || !lock.try_lock()) {
    for (int part = 0; part < parts; ++part) task(context, part);
    return;
  }
  p.start_workers();
  p.run(task, context, parts);
  if (p.failure) std::rethrow_exception(std::exchange(p.failure, nullptr));
}

}  // namespace detail

int get_num_threads() { return detail::the_pool().wanted.load(std::memory_order_relaxed); }

void set_num_threads(int threads) {
  if (threads < 1) detail::fail<ValueError>("set_num_threads: {} is not a positive count", threads);
  detail::Pool& p = detail::the_pool();
  const std::lock_guard lock(p.user);
  if (threads == p.wanted) return;
  p.wanted = threads;  // workers beyond it park; missing ones start at the next split
  p.roster.fetch_add(1, std::memory_order_release);
  p.roster.notify_all();
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

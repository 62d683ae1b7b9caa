// SPDX-License-Identifier: MIT
// The node pool's prefault thread: it writes the next slabs before the pool
// needs them, gives them back on release, and a forked child gets its own.
// meson runs this file twice: as is, and with AG_PREFAULT_THREAD=0.
#include <doctest/doctest.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "autograd/autograd.hpp"
#include "autograd/node_pool.hpp"

namespace {

using ag::detail::node_pool_prefault_stats;
using ag::detail::node_pool_wait_prefault;

constexpr std::size_t kSlabBytes = std::size_t{2} << 20;
// At least as many nodes as a slab holds (nodes of 32 bytes, the smallest).
constexpr int kNodesPerSlab =
    kSlabBytes / ag::detail::PoolChunk::kBytes * (ag::detail::PoolChunk::kUsable / 32);

// Grows a chain on `y` by `nodes` scalar nodes (two per step).
void grow(ag::Scalar& y, int nodes) {
  for (int i = 0; i < nodes / 2; ++i) y = y * 1.0000001 + 1e-7;
}

bool switched_off() {
  const char* setting = std::getenv("AG_PREFAULT_THREAD");
  return setting && std::strcmp(setting, "0") == 0;
}

bool several_cpus() {
  cpu_set_t cpus;
  return sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) > 1;
}

}  // namespace

TEST_CASE("the prefault thread writes the next slabs ahead of need") {
  ag::release_cached_buffers();  // no empty slabs kept: the chain below needs new ones
  ag::Scalar x = 1.0;
  ag::Scalar y = x;
  grow(y, 3 * kNodesPerSlab);
  const ag::detail::PrefaultStats built = node_pool_prefault_stats();
  if (built.slabs_taken == 0) return;  // the pool uses malloc (AddressSanitizer, valgrind)
  CHECK(built.slabs_taken >= 3);
  CHECK(built.enabled == (several_cpus() && !switched_off()));

  node_pool_wait_prefault();
  const ag::detail::PrefaultStats waited = node_pool_prefault_stats();
  CHECK(waited.slabs_ready == (built.enabled ? 2u : 0u));
  grow(y, kNodesPerSlab + 1000);  // needs at least one new slab: a ready one when there is one
  const ag::detail::PrefaultStats grown = node_pool_prefault_stats();
  CHECK(grown.slabs_taken > waited.slabs_taken);
  CHECK((grown.slabs_prefaulted > waited.slabs_prefaulted) == built.enabled);
  CHECK((grown.cpu_seconds > 0) == built.enabled);  // the thread's own time, counted apart

  y.backward();  // nodes on slabs either thread wrote first hold what they should
  const int steps = (3 * kNodesPerSlab) / 2 + (kNodesPerSlab + 1000) / 2;
  CHECK(x.grad() == doctest::Approx(std::pow(1.0000001, steps)).epsilon(1e-12));

  // Ready slabs are cached memory: a release unmaps them and counts them.
  y = ag::Scalar();
  node_pool_wait_prefault();
  const std::size_t ready = node_pool_prefault_stats().slabs_ready;
  CHECK(ag::release_cached_buffers() >= ready * kSlabBytes + kSlabBytes);
  CHECK(node_pool_prefault_stats().slabs_ready == 0);
  node_pool_wait_prefault();  // a release asks for nothing: returns at once
  CHECK(node_pool_prefault_stats().slabs_ready == 0);
}

// ThreadSanitizer does not support threads started after a multi-threaded fork.
#if !defined(__SANITIZE_THREAD__)
TEST_CASE("a forked child starts its own prefault thread") {
  ag::Scalar x = 1.0;
  {
    ag::Scalar y = x;
    grow(y, 2 * kNodesPerSlab);  // the parent's thread is started by now (if it is used)
    node_pool_wait_prefault();
  }
  const bool enabled = node_pool_prefault_stats().enabled;
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {  // no doctest in here: report by exit status only
    alarm(30);       // a child left waiting for a thread it does not have is killed
    ag::release_cached_buffers();
    ag::Scalar y = x;
    grow(y, 2 * kNodesPerSlab);  // more than the slab the parent left in use holds: new slabs
    bool ready_ok = true;
    for (int round = 0; round < 4; ++round) {  // the thread, once asleep, is woken again
      node_pool_wait_prefault();
      ready_ok = ready_ok && node_pool_prefault_stats().slabs_ready == (enabled ? 2u : 0u);
      grow(y, kNodesPerSlab);  // takes at least one new slab
    }
    y.backward();
    const bool grad_ok = std::fabs(x.grad() - std::pow(1.0000001, 6 * (kNodesPerSlab / 2))) < 1e-9;
    _exit(ready_ok && grad_ok ? 0 : 1);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
#endif

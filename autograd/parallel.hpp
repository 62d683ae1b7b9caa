// SPDX-License-Identifier: MIT
// The library's threads: matrix products split their rows (or columns) over
// them and optimizers their elements, each part on a one-thread kernel
// (parallel.cpp). set_num_threads is the one setting; parallel_for lets a
// custom op's loops use the same threads.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>

namespace ag {

///@{
/// How many threads the library runs its work on, the calling thread
/// included: matrix products and optimizer updates are split into that many
/// parts. At load it is OpenBLAS's default (one per core, or
/// OPENBLAS_NUM_THREADS); BLAS and oneDNN themselves always run at one thread
/// (a part each). Workers start at the first split and sleep when idle;
/// lowering the count parks the surplus ones (asleep, woken only when the
/// count rises again) instead of ending them.
/// Throws ValueError for a count below 1.
void set_num_threads(int threads);
int get_num_threads();
///@}

namespace detail {
/// Runs task(context, part) for every part in [0, parts) and returns when all
/// have run: the calling thread and the library's workers each take the next
/// part not yet taken, so a thread that finishes early takes more. Parts run
/// one after another on the caller when another thread is using the workers,
/// or when called from inside a part (or for more than 65,535 parts). An
/// exception thrown by a part is rethrown here, once the parts running on
/// other threads have ended.
void run_parts(int parts, void (*task)(void* context, int part), void* context);

/// [begin, end) of part `part` of `parts` over n items, cut at multiples of
/// `align` items (no two parts of a float array share a 64-byte line).
struct Range {
  std::int64_t begin, end;
};
Range part_range(std::int64_t n, int parts, int part, std::int64_t align);

/// run_parts with any callable task(int part).
template <class Task>
void run_parts(int parts, Task&& task) {
  using Callable = std::remove_reference_t<Task>;
  run_parts(
      parts, [](void* context, int part) { (*static_cast<Callable*>(context))(part); }, &task);
}
}  // namespace detail

/// The items a slice of the library's own elementwise loops holds at least
/// (PyTorch's grain size): a loop over fewer stays on the calling thread.
inline constexpr std::int64_t kParallelGrain = 32768;

/// Calls body(begin, end) on slices that cover [0, n) once, on up to
/// get_num_threads() threads at the same time: one slice per thread, and only
/// as many slices as leave each at least `grain` items (so small loops stay
/// on the calling thread). Slices start at multiples of 16 items. body must
/// be safe to run on several threads at once on disjoint slices; an
/// exception it throws is rethrown here, once the other threads' slices have
/// ended.
/// Like at::parallel_for.
template <class Body>
void parallel_for(std::int64_t n, std::int64_t grain, Body&& body) {
  if (n <= 0) return;
  const std::int64_t most = n / std::max<std::int64_t>(grain, 1);
  // Small loops (most of them) do not even read the thread count.
  const int parts =
      most < 2 ? 1 : static_cast<int>(std::min<std::int64_t>(most, get_num_threads()));
  if (parts == 1) {
    body(std::int64_t{0}, n);
    return;
  }
  detail::run_parts(parts, [&](int part) {
    const detail::Range r = detail::part_range(n, parts, part, 16);
    if (r.begin < r.end) body(r.begin, r.end);
  });
}

}  // namespace ag

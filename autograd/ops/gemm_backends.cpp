// SPDX-License-Identifier: MIT
// The dense matrix-product libraries and which one runs a product.
//
// float64 always goes to BLAS (OpenBLAS, or Eigen with -Dgemm=eigen). For
// float32 at one thread, oneDNN (where built with it: its JIT kernels are
// generated for the running CPU's instruction set at run time, whatever
// OPENBLAS_CORETYPE says) runs the products of at least kOneDnnFromMacs
// multiply-adds, BLAS the smaller ones, where oneDNN's per-call cost loses (docs/performance.md has
// the measurements behind the threshold). The rule depends on the shape and
// the thread setting only, never on a timing, so every process on every rank picks the same library
// and results stay bit-identical run to run. AG_GEMM (read at the first
// product) or ag::set_gemm_backend force one. bfloat16 products (autocast,
// gemm_bf16.cpp) go to oneDNN's bfloat16 matmul where the CPU has AMX.
#include <atomic>
#include <cstdlib>
#include <string>
#include <string_view>

#include "autograd/autocast.hpp"
#include "autograd/error.hpp"
#include "autograd/ops.hpp"
#include "autograd/ops/gemm.hpp"

#ifdef AG_GEMM_EIGEN
// GCC 12 reports false "(may be) used uninitialized" warnings inside Eigen's AVX-512
// transpose intrinsics once they are inlined here; it is not our code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <Eigen/Core>
#endif
#include <cblas.h>
#ifdef AG_HAVE_DNNL
#include <map>
#include <oneapi/dnnl/dnnl.hpp>
// oneDNN runs on OpenMP threads (libgomp); declared here so that no -fopenmp is needed.
extern "C" int omp_get_max_threads();
extern "C" void omp_set_num_threads(int);
#endif
// OpenBLAS's pthreads build exports this (it is what its fork handler calls);
// weak, so that other OpenBLAS builds link too.
extern "C" int blas_thread_shutdown_() __attribute__((weak));

namespace ag {
namespace detail {
namespace {

#ifdef AG_GEMM_EIGEN
// Eigen, selected with -Dgemm=eigen (built with -march=native).
constexpr const char* kBlasName = "eigen";
template <class T>
void blas_gemm(bool ta, bool tb, int m, int n, int k, const T* a, const T* b, T* c) {
  using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Map<const Matrix> A(a, ta ? k : m, ta ? m : k), B(b, tb ? n : k, tb ? k : n);
  Eigen::Map<Matrix> C(c, m, n);
  if (ta && tb) {
    C.noalias() = A.transpose() * B.transpose();
  } else if (ta) {
    C.noalias() = A.transpose() * B;
  } else if (tb) {
    C.noalias() = A * B.transpose();
  } else {
    C.noalias() = A * B;
  }
}
#else
// OpenBLAS (the default): transposes are flags, leading dims the stored widths.
constexpr const char* kBlasName = "openblas";
void blas_gemm(bool ta, bool tb, int m, int n, int k, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n,
              k, 1.0f, a, ta ? m : k, b, tb ? k : n, 0.0f, c, n);
}
void blas_gemm(bool ta, bool tb, int m, int n, int k, const double* a, const double* b, double* c) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n,
              k, 1.0, a, ta ? m : k, b, tb ? k : n, 0.0, c, n);
}
#endif

// Products of at least this many multiply-adds go to oneDNN under "auto".
constexpr double kOneDnnFromMacs = 1 << 20;

enum class Choice : int { unset, automatic, blas, onednn };
std::atomic<Choice> choice{Choice::unset};

constexpr bool kHaveOneDnn =
#ifdef AG_HAVE_DNNL
    true;
#else
    false;
#endif

Choice parse(std::string_view name, const char* where) {
  if (name == "auto") return Choice::automatic;
  if (name == "blas" || name == kBlasName) return Choice::blas;
  if (name == "onednn" && kHaveOneDnn) return Choice::onednn;
  fail<ValueError>(
      "{}: unknown or unavailable matrix-product library '{}' (choose auto, blas, {}{})", where,
      name, kBlasName, kHaveOneDnn ? ", onednn" : "; built without oneDNN");
}

Choice current() {
  Choice now = choice.load(std::memory_order_relaxed);
  if (now != Choice::unset) return now;
  const char* env = std::getenv("AG_GEMM");
  now = env && *env ? parse(env, "AG_GEMM") : Choice::automatic;
  choice.store(now, std::memory_order_relaxed);
  return now;
}

bool use_onednn(std::int64_t m, std::int64_t n, std::int64_t k) {
  const Choice now = current();
  if (now == Choice::onednn) return true;
  // One thread only: with two, oneDNN's OpenMP workers and OpenBLAS's pool
  // (which runs the small products) spin against each other, and P3 at two
  // threads took 1.6-1.8x longer than on OpenBLAS alone.
  return kHaveOneDnn && now == Choice::automatic && openblas_get_num_threads() == 1 &&
         static_cast<double>(m) * n * k >= kOneDnnFromMacs;
}

#ifdef AG_HAVE_DNNL
// The one thread setting is OpenBLAS's; OpenMP's count is per calling
// thread, so it is set here where it differs.
void match_openmp_threads() {
  const int wanted = openblas_get_num_threads();
  if (omp_get_max_threads() != wanted) omp_set_num_threads(wanted);
}

void onednn_gemm(bool ta, bool tb, int m, int n, int k, const float* a, const float* b, float* c) {
  match_openmp_threads();
  const dnnl_status_t status = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.0f, a,
                                          ta ? m : k, b, tb ? k : n, 0.0f, c, n);
  if (status != dnnl_success)
    fail<ValueError>("matmul: oneDNN's sgemm failed (status {}) for [{}, {}] x [{}, {}]",
                     static_cast<int>(status), m, k, k, n);
}

// bfloat16 products run on oneDNN's matmul primitive (operands bf16, the
// transposes as strides, result float32). A primitive is compiled for its
// shape, 1-7 ms the first time and ~70 us to look up in oneDNN's own cache,
// so each thread keeps the ones it made.
struct Bf16Shape {
  int m, n, k;
  bool ta, tb;
  auto operator<=>(const Bf16Shape&) const = default;
};
std::atomic<bool> onednn_bf16_unsupported{false};

bool onednn_gemm_bf16(const Bf16Shape& s, const std::uint16_t* a, const std::uint16_t* b,
                      float* c) {
  using dnnl::memory;
  thread_local const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  thread_local dnnl::stream stream(engine);
  thread_local std::map<Bf16Shape, dnnl::matmul> compiled;
  const memory::desc a_md({s.m, s.k}, memory::data_type::bf16,
                          s.ta ? memory::dims{1, s.m} : memory::dims{s.k, 1});
  const memory::desc b_md({s.k, s.n}, memory::data_type::bf16,
                          s.tb ? memory::dims{1, s.k} : memory::dims{s.n, 1});
  const memory::desc c_md({s.m, s.n}, memory::data_type::f32, memory::dims{s.n, 1});
  auto found = compiled.find(s);
  if (found == compiled.end()) {
    if (compiled.size() >= 256) compiled.clear();  // shapes change (variable lengths): stay bounded
    try {
      found = compiled.emplace(s, dnnl::matmul({{a_md, b_md, c_md}, engine})).first;
    } catch (const dnnl::error&) {  // no bfloat16 kernel for this CPU
      onednn_bf16_unsupported = true;
      return false;
    }
  }
  match_openmp_threads();
  found->second.execute(stream, {{DNNL_ARG_SRC, {a_md, engine, const_cast<std::uint16_t*>(a)}},
                                 {DNNL_ARG_WEIGHTS, {b_md, engine, const_cast<std::uint16_t*>(b)}},
                                 {DNNL_ARG_DST, {c_md, engine, c}}});
  stream.wait();
  return true;
}

// AMX's tile instructions multiply bfloat16 about twice as fast as float32
// FMAs here; avx512_bf16's dot products alone measured slower than float32
// (docs/performance.md), so "auto" takes oneDNN only with AMX.
bool cpu_has_amx() {
  static const bool has = (static_cast<unsigned>(dnnl::get_effective_cpu_isa()) &
                           dnnl_cpu_isa_avx512_core_amx) == dnnl_cpu_isa_avx512_core_amx;
  return has;
}
#endif

// OpenBLAS starts its worker threads when it is loaded (and again whenever
// its thread count is set), and an idle worker spins on sched_yield for about
// 2^28 cycles before it sleeps: a program that never runs a multi-threaded
// product burnt a second core for its first ~0.1 s (25 % of P6's samples).
// The pool is stopped when this library is loaded and when the count is set
// to one; OpenBLAS starts it again at the next product that uses more than
// one thread (whose workers then spin between products, as it designs them to).
void stop_blas_pool() {
  if (blas_thread_shutdown_) blas_thread_shutdown_();
}
const bool blas_pool_stopped_at_load = (stop_blas_pool(), true);

}  // namespace

void dense_gemm(bool ta, bool tb, int m, int n, int k, const float* a, const float* b, float* c) {
#ifdef AG_HAVE_DNNL
  if (use_onednn(m, n, k)) return onednn_gemm(ta, tb, m, n, k, a, b, c);
#endif
  blas_gemm(ta, tb, m, n, k, a, b, c);
}

void dense_gemm(bool ta, bool tb, int m, int n, int k, const double* a, const double* b,
                double* c) {
  blas_gemm(ta, tb, m, n, k, a, b, c);
}

bool bf16_on_onednn() {
  const Choice now = current();
  if (!kHaveOneDnn || now == Choice::blas) return false;
#ifdef AG_HAVE_DNNL
  if (onednn_bf16_unsupported) return false;
  return now == Choice::onednn || cpu_has_amx();
#else
  return false;
#endif
}

bool bf16_gemm(bool ta, bool tb, int m, int n, int k, const std::uint16_t* a,
               const std::uint16_t* b, float* c) {
#ifdef AG_HAVE_DNNL
  return onednn_gemm_bf16({m, n, k, ta, tb}, a, b, c);
#else
  (void)ta, (void)tb, (void)m, (void)n, (void)k, (void)a, (void)b, (void)c;
  return false;
#endif
}

void set_gemm_threads(int count) {
  // Setting it at all restarts OpenBLAS's pool (~100 us with the stop below).
  if (count == openblas_get_num_threads()) return;
  openblas_set_num_threads(count);
  if (count == 1) stop_blas_pool();
}
int gemm_threads() { return openblas_get_num_threads(); }

}  // namespace detail

void set_gemm_backend(std::string_view name) {
  detail::choice.store(detail::parse(name, "set_gemm_backend"), std::memory_order_relaxed);
}

std::string_view autocast_backend() { return detail::bf16_on_onednn() ? "onednn" : "float32"; }

std::string_view gemm_backend(DType dtype, std::int64_t m, std::int64_t n, std::int64_t k) {
  if (dtype == DType::float32 && detail::use_onednn(m, n, k)) return "onednn";
  return detail::kBlasName;
}

}  // namespace ag

// SPDX-License-Identifier: MIT
// The dense matrix-product libraries and which one runs a product.
//
// Every library runs at one thread: a large product is split into parts
// over the library's own threads (parallel.hpp, ag::set_num_threads), each
// part a one-thread product. float64 parts go to BLAS (OpenBLAS, or Eigen
// with -Dgemm=eigen). float32 parts of at least kOneDnnFromMacs multiply-adds
// go to oneDNN where built with it (its JIT kernels are generated for the
// running CPU's instruction set, whatever OPENBLAS_CORETYPE says), smaller
// ones to BLAS, where oneDNN's per-call cost loses (docs/performance.md has
// the measurements). The rules depend on the shape and the thread count
// only, never on a timing, so every process on every rank picks the same
// library and results stay bit-identical run to run. AG_GEMM (read at the
// first product) or ag::set_gemm_backend force one. bfloat16 products
// (autocast, gemm_bf16.cpp) go to oneDNN's bfloat16 matmul where the CPU has AMX.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string>
#include <string_view>

#include "autograd/autocast.hpp"
#include "autograd/error.hpp"
#include "autograd/ops.hpp"
#include "autograd/ops/gemm.hpp"
#include "autograd/parallel.hpp"

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

// One product C = op(A) op(B) (m x n, k deep) with the stored row widths of
// A, B and C: a part of a split product keeps its whole's widths.
struct Gemm {
  bool ta, tb;
  int m, n, k, lda, ldb, ldc;
  auto operator<=>(const Gemm&) const = default;
};

#ifdef AG_GEMM_EIGEN
// Eigen, selected with -Dgemm=eigen (built with -march=native).
constexpr const char* kBlasName = "eigen";
template <class T>
void blas_gemm(const Gemm& g, const T* a, const T* b, T* c) {
  using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using Strided = Eigen::OuterStride<>;
  const Eigen::Map<const Matrix, 0, Strided> A(a, g.ta ? g.k : g.m, g.ta ? g.m : g.k,
                                               Strided(g.lda));
  const Eigen::Map<const Matrix, 0, Strided> B(b, g.tb ? g.n : g.k, g.tb ? g.k : g.n,
                                               Strided(g.ldb));
  Eigen::Map<Matrix, 0, Strided> C(c, g.m, g.n, Strided(g.ldc));
  if (g.ta && g.tb) {
    C.noalias() = A.transpose() * B.transpose();
  } else if (g.ta) {
    C.noalias() = A.transpose() * B;
  } else if (g.tb) {
    C.noalias() = A * B.transpose();
  } else {
    C.noalias() = A * B;
  }
}
#else
// OpenBLAS (the default), always at one thread: parts run on our own threads.
constexpr const char* kBlasName = "openblas";
CBLAS_TRANSPOSE flag(bool transposed) { return transposed ? CblasTrans : CblasNoTrans; }
void blas_gemm(const Gemm& g, const float* a, const float* b, float* c) {
  cblas_sgemm(CblasRowMajor, flag(g.ta), flag(g.tb), g.m, g.n, g.k, 1.0f, a, g.lda, b, g.ldb, 0.0f,
              c, g.ldc);
}
void blas_gemm(const Gemm& g, const double* a, const double* b, double* c) {
  cblas_dgemm(CblasRowMajor, flag(g.ta), flag(g.tb), g.m, g.n, g.k, 1.0, a, g.lda, b, g.ldb, 0.0, c,
              g.ldc);
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

bool use_onednn(double macs) {
  const Choice now = current();
  if (now == Choice::onednn) return true;
  return kHaveOneDnn && now == Choice::automatic && macs >= kOneDnnFromMacs;
}

#ifdef AG_HAVE_DNNL
// Every call runs on one thread: products are split over the library's own
// threads (parallel.hpp). OpenMP's count is per calling thread, so it is set
// in each thread that calls oneDNN (a new thread starts at one per core).
void one_openmp_thread() {
  if (omp_get_max_threads() != 1) omp_set_num_threads(1);
}

void onednn_gemm(const Gemm& g, const float* a, const float* b, float* c) {
  one_openmp_thread();
  const dnnl_status_t status = dnnl_sgemm(g.ta ? 'T' : 'N', g.tb ? 'T' : 'N', g.m, g.n, g.k, 1.0f,
                                          a, g.lda, b, g.ldb, 0.0f, c, g.ldc);
  if (status != dnnl_success)
    fail<ValueError>("matmul: oneDNN's sgemm failed (status {}) for [{}, {}] x [{}, {}]",
                     static_cast<int>(status), g.m, g.k, g.k, g.n);
}

// bfloat16 products run on oneDNN's matmul primitive (operands bf16, the
// transposes as strides, result float32). A primitive is compiled for its
// shape, 1-7 ms the first time and ~70 us to look up in oneDNN's own cache,
// so each thread keeps the ones it made.
std::atomic<bool> onednn_bf16_unsupported{false};

bool onednn_gemm_bf16(const Gemm& g, const std::uint16_t* a, const std::uint16_t* b, float* c) {
  using dnnl::memory;
  thread_local const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  thread_local dnnl::stream stream(engine);
  thread_local std::map<Gemm, dnnl::matmul> compiled;
  const memory::desc a_md({g.m, g.k}, memory::data_type::bf16,
                          g.ta ? memory::dims{1, g.lda} : memory::dims{g.lda, 1});
  const memory::desc b_md({g.k, g.n}, memory::data_type::bf16,
                          g.tb ? memory::dims{1, g.ldb} : memory::dims{g.ldb, 1});
  const memory::desc c_md({g.m, g.n}, memory::data_type::f32, memory::dims{g.ldc, 1});
  auto found = compiled.find(g);
  if (found == compiled.end()) {
    if (compiled.size() >= 256) compiled.clear();  // shapes change (variable lengths): stay bounded
    try {
      found = compiled.emplace(g, dnnl::matmul({{a_md, b_md, c_md}, engine})).first;
    } catch (const dnnl::error&) {  // no bfloat16 kernel for this CPU
      onednn_bf16_unsupported = true;
      return false;
    }
  }
  one_openmp_thread();
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

// At load, OpenBLAS's default thread count (one per core, or what
// OPENBLAS_NUM_THREADS says) becomes the library's (parallel.hpp), and
// OpenBLAS itself runs at one thread from then on. Its pool, started at load
// (and again by any change of its count), is stopped: an idle OpenBLAS
// worker spins on sched_yield for ~0.1 s (25 % of P6's samples).
void stop_blas_pool() {
  if (blas_thread_shutdown_) blas_thread_shutdown_();
}
const bool blas_at_one_thread = (set_num_threads(std::max(1, openblas_get_num_threads())),
                                 openblas_set_num_threads(1), stop_blas_pool(), true);

// Products of at least this many multiply-adds are split over the library's
// threads: C along its longer side, in parts of a multiple of kPartAlign
// rows or columns, each part a one-thread product. A part's A, B and C are
// its whole's, offset, with the same row widths. Parts depend on the shape
// and the thread count only, so results are the same run to run.
constexpr double kSplitFromMacs = 1 << 18;
constexpr std::int64_t kPartAlign = 16;

double macs(const Gemm& g) { return static_cast<double>(g.m) * g.n * g.k; }

int parts_for(const Gemm& g) {
  if (macs(g) < kSplitFromMacs) return 1;  // before the thread count: small products stay cheap
  return static_cast<int>(
      std::clamp<std::int64_t>(std::max(g.m, g.n) / kPartAlign, 1, get_num_threads()));
}

// Part `part` of g cut into `parts` along C's longer side: its shape, and
// where its A, B and C start (element offsets into the whole's).
struct Piece {
  Gemm g;
  std::int64_t a, b, c;
};
Piece piece(const Gemm& g, int parts, int part) {
  const bool by_rows = g.m >= g.n;
  const Range r = part_range(by_rows ? g.m : g.n, parts, part, kPartAlign);
  Piece p{g, 0, 0, 0};
  if (by_rows) {
    p.g.m = static_cast<int>(r.end - r.begin);
    p.a = g.ta ? r.begin : r.begin * g.lda;
    p.c = r.begin * g.ldc;
  } else {
    p.g.n = static_cast<int>(r.end - r.begin);
    p.b = g.tb ? r.begin * g.ldb : r.begin;
    p.c = r.begin;
  }
  return p;
}

template <class In, class Out, class Kernel>
void split(const Gemm& g, const In* a, const In* b, Out* c, Kernel kernel) {
  const int parts = parts_for(g);
  if (parts == 1) return kernel(g, a, b, c);
  run_parts(parts, [&](int part) {
    const Piece p = piece(g, parts, part);
    if (p.g.m > 0 && p.g.n > 0) kernel(p.g, a + p.a, b + p.b, c + p.c);
  });
}

Gemm whole(bool ta, bool tb, int m, int n, int k) {
  return {ta, tb, m, n, k, ta ? m : k, tb ? k : n, n};
}

}  // namespace

void dense_gemm(bool ta, bool tb, int m, int n, int k, const float* a, const float* b, float* c) {
  split(whole(ta, tb, m, n, k), a, b, c,
        [](const Gemm& g, const float* a, const float* b, float* c) {
#ifdef AG_HAVE_DNNL
          if (use_onednn(macs(g))) return onednn_gemm(g, a, b, c);
#endif
          blas_gemm(g, a, b, c);
        });
}

void dense_gemm(bool ta, bool tb, int m, int n, int k, const double* a, const double* b,
                double* c) {
  split(whole(ta, tb, m, n, k), a, b, c,
        [](const Gemm& g, const double* a, const double* b, double* c) { blas_gemm(g, a, b, c); });
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
  std::atomic<bool> all_ran{true};
  split(whole(ta, tb, m, n, k), a, b, c,
        [&](const Gemm& g, const std::uint16_t* a, const std::uint16_t* b, float* c) {
          if (!onednn_gemm_bf16(g, a, b, c)) all_ran = false;
        });
  return all_ran;
#else
  (void)ta, (void)tb, (void)m, (void)n, (void)k, (void)a, (void)b, (void)c;
  return false;
#endif
}

}  // namespace detail

void set_gemm_backend(std::string_view name) {
  detail::choice.store(detail::parse(name, "set_gemm_backend"), std::memory_order_relaxed);
}

std::vector<std::string_view> gemm_backends() {
  std::vector<std::string_view> names{detail::kBlasName};
  if (detail::kHaveOneDnn) names.push_back("onednn");
  return names;
}

std::string_view autocast_backend() { return detail::bf16_on_onednn() ? "onednn" : "float32"; }

std::string_view gemm_backend(DType dtype, std::int64_t m, std::int64_t n, std::int64_t k) {
  // The library of the product's first part (its shape decides; the whole
  // when it is not split).
  const detail::Gemm whole =
      detail::whole(false, false, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k));
  const double part_macs = detail::macs(detail::piece(whole, detail::parts_for(whole), 0).g);
  if (dtype == DType::float32 && detail::use_onednn(part_macs)) return "onednn";
  return detail::kBlasName;
}

}  // namespace ag

// SPDX-License-Identifier: MIT
// libFuzzer target: a byte string decoded into a program of tensor ops on
// small shapes of every dtype. Each op either succeeds or throws one of the
// library's typed errors (anything else escapes and is reported as a crash).
// When the program ends, backward runs from everything that needs a gradient,
// and every leaf's gradient must have its leaf's shape and dtype.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string_view>
#include <vector>

#include "autograd/autograd.hpp"

namespace {

// Reads the program; past the end every read gives 0.
class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool done() const { return at_ >= size_; }
  std::uint8_t u8() { return at_ < size_ ? data_[at_++] : 0; }
  bool flag() { return u8() & 1; }
  int below(int n) { return u8() % n; }
  std::int64_t small(int lo, int hi) { return lo + below(hi - lo + 1); }  // in [lo, hi]
  double value() { return (static_cast<std::int8_t>(u8())) / 16.0; }
  // An integer argument: mostly in [lo, hi], sometimes at the ends of int64
  // (slice starts and steps, dims, sizes): arithmetic on them must not overflow.
  std::int64_t integer(int lo, int hi) {
    constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    switch (below(10)) {
      case 0:
        return kMin + below(3);
      case 1:
        return kMax - below(3);
      case 2:
        return (std::int64_t{1} << (32 + below(31))) * (flag() ? 1 : -1);
      default:
        return small(lo, hi);
    }
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_, at_ = 0;
};

[[noreturn]] void violated(const char* what) {
  fmt::print(stderr, "ops_fuzz: invariant violated: {}\n", what);
  std::abort();
}

std::int64_t product(const ag::Shape& s) {
  std::int64_t n = 1;
  for (std::int64_t d : s) n *= d;
  return n;
}

struct Program {
  Bytes in;
  std::vector<ag::Tensor> pool;  // everything made so far
  std::vector<ag::Tensor> leaves;
  bool written = false;  // a tensor was written in place

  const ag::Tensor& pick() { return pool[in.below(static_cast<int>(pool.size()))]; }

  ag::Shape shape() {
    ag::Shape s;
    const int rank = in.below(4);
    for (int d = 0; d < rank; ++d) s.push_back(in.small(0, 4));
    return s;
  }
  // A target shape for reshape: small sizes, -1, or extreme ones.
  ag::Shape target_shape() {
    ag::Shape s;
    const int rank = in.below(4);
    for (int d = 0; d < rank; ++d) s.push_back(in.integer(-1, 4));
    return s;
  }
  std::vector<std::int64_t> dims() {
    std::vector<std::int64_t> out;
    const int n = in.below(3);
    for (int i = 0; i < n; ++i) out.push_back(in.integer(-4, 4));
    return out;
  }
  // An int64 index tensor, sometimes out of range or negative.
  ag::Tensor index(int max_rank) {
    ag::Shape s;
    const int rank = in.below(max_rank + 1);
    for (int d = 0; d < rank; ++d) s.push_back(in.small(0, 4));
    std::vector<std::int64_t> values(static_cast<std::size_t>(product(s)));
    for (auto& v : values) v = in.small(-2, 5);
    return ag::Tensor::from(values, s);
  }

  ag::Tensor leaf() {
    const ag::Shape s = shape();
    std::vector<double> values(static_cast<std::size_t>(product(s)));
    for (double& v : values) v = in.value();
    ag::Tensor t = ag::Tensor::from(values, s);
    switch (in.below(4)) {
      case 0:
        return t.to(ag::DType::float32).requires_grad_(in.flag());
      case 1:
        return t.requires_grad_(in.flag());
      case 2:
        return index(3);
      default:
        return ag::gt(t, 0.0);
    }
  }

  ag::Tensor unary(const ag::Tensor& x) {
    switch (in.below(16)) {
      case 15:
        return ag::erf(x);
      case 0:
        return ag::exp(x);
      case 1:
        return ag::log(x);
      case 2:
        return ag::sqrt(x);
      case 3:
        return ag::tanh(x);
      case 4:
        return ag::sigmoid(x);
      case 5:
        return ag::relu(x);
      case 6:
        return ag::abs(x);
      case 7:
        return -x;
      case 8:
        return ag::pow(x, in.value());
      case 9:
        return ag::leaky_relu(x, in.value());
      case 10:
        return ag::gelu(x, in.flag());
      case 11: {
        std::optional<double> lo, hi;
        if (in.flag()) lo = in.value();
        if (in.flag()) hi = in.value();
        return ag::clamp(x, lo, hi);
      }
      case 12:
        return x.to(in.flag() ? ag::DType::float32 : ag::DType::float64);
      case 13:
        return x.detach();
      default:
        return ag::broadcast_to(x, shape());
    }
  }

  ag::Tensor binary(const ag::Tensor& a, const ag::Tensor& b) {
    switch (in.below(14)) {
      case 0:
        return a + b;
      case 1:
        return a - b;
      case 2:
        return a * b;
      case 3:
        return a / b;
      case 4:
        return ag::pow(a, b);
      case 5:
        return ag::matmul(a, b);
      case 6:
        return a * in.value() + in.value();
      case 7:
        return in.value() / a;
      case 8:
        return a * ag::Scalar(in.value()) - ag::Scalar(in.value());
      case 9:
        return ag::where(ag::lt(a, b), a, b);
      case 10:
        return ag::masked_fill(a, ag::gt(b, 0.0), in.value());
      case 11:
        return ag::eq(a, b);
      case 12:
        return ag::linear(a, b, in.flag() ? pick() : ag::Tensor());
      default:
        return ag::ge(a, b);
    }
  }

  ag::Tensor reduction(const ag::Tensor& x) {
    const std::int64_t dim = in.small(-4, 3);
    switch (in.below(11)) {
      case 0:
        return ag::sum(x, dims(), in.flag());
      case 1:
        return ag::mean(x, dims(), in.flag());
      case 2:
        return ag::max(x);
      case 3:
        return ag::min(x);
      case 4:
        return ag::max(x, dim, in.flag()).values;
      case 5:
        return ag::min(x, dim, in.flag()).indices;
      case 6:
        return ag::amax(x, dims(), in.flag());
      case 7:
        return ag::logsumexp(x, dims(), in.flag());
      case 8:
        return ag::softmax(x, dim);
      case 9:
        return ag::log_softmax(x, dim);
      default:
        return ag::sum(x, {dim}, in.flag());
    }
  }

  ag::Tensor reshape(const ag::Tensor& x) {
    switch (in.below(8)) {
      case 0:
        return ag::reshape(x, target_shape());
      case 1:
        return ag::transpose(x, in.integer(-4, 3), in.integer(-4, 3));
      case 2:
        return ag::permute(x, dims());
      case 3:
        return ag::unsqueeze(x, in.integer(-4, 4));
      case 4:
        return in.flag() ? ag::squeeze(x) : ag::squeeze(x, in.integer(-4, 3));
      case 5:
        return ag::slice(x, in.integer(-4, 3), in.integer(-5, 5), in.integer(-5, 5),
                         in.integer(-1, 3));
      case 6:
        return ag::select(x, in.integer(-4, 3), in.integer(-5, 5));
      default: {
        std::vector<ag::Tensor> xs{x};
        for (int n = in.below(3); n > 0; --n) xs.push_back(pick());
        return in.flag() ? ag::cat(xs, in.integer(-4, 3)) : ag::stack(xs, in.integer(-4, 4));
      }
    }
  }

  ag::Tensor indexing(const ag::Tensor& x) {
    const std::int64_t dim = in.small(-4, 3);
    switch (in.below(4)) {
      case 0:
        return ag::index_select(x, dim, index(1));
      case 1:
        return ag::gather(x, dim, index(3));
      case 2:
        return ag::index_add(x, dim, index(1), pick());
      default: {
        std::optional<std::int64_t> padding;
        if (in.flag()) padding = in.integer(-6, 5);
        return ag::embedding(x, index(2), padding, in.flag());
      }
    }
  }

  void step() {
    ag::Tensor out;
    switch (in.below(7)) {
      case 6:  // a write in place: a later backward through a reader of it must refuse
        out = pick();
        out.mark_modified();
        written = true;
        break;
      case 0:
        out = leaf();
        break;
      case 1:
        out = unary(pick());
        break;
      case 2:
        out = binary(pick(), pick());
        break;
      case 3:
        out = reduction(pick());
        break;
      case 4:
        out = reshape(pick());
        break;
      default:
        out = indexing(pick());
        break;
    }
    if (out.numel() != product(out.shape())) violated("numel differs from the shape's");
    (void)out.to_vector();  // every element readable (ASan checks the bounds)
    if (out.is_leaf() && out.requires_grad()) leaves.push_back(out);
    pool.push_back(out);
  }

  void backward() {
    ag::Tensor total;
    for (const ag::Tensor& t : pool) {
      if (!t.requires_grad()) continue;
      const ag::Tensor part = ag::sum(t).to(ag::DType::float64);
      total = total.defined() ? total + part : part;
    }
    if (!total.defined()) return;
    try {
      total.backward();
    } catch (const ag::GraphError& e) {
      // Only a value written in place may stop it, and only if one was.
      if (!written || std::string_view(e.what()).find("written in place") == std::string_view::npos)
        throw;
      return;
    }
    for (const ag::Tensor& leaf : leaves) {
      const ag::Tensor g = leaf.grad();
      if (g.defined() && (g.shape() != leaf.shape() || g.dtype() != leaf.dtype()))
        violated("a gradient's shape or dtype differs from its leaf's");
      const ag::SparseGrad& sparse = leaf.sparse_grad();
      if (sparse.defined() && (sparse.values.dim() != 2 || sparse.values.size(1) != leaf.size(1) ||
                               sparse.rows.numel() != sparse.values.size(0)))
        violated("a sparse gradient does not fit its leaf");
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Program p{Bytes(data, size), {}, {}};
  p.pool.push_back(ag::zeros({2, 3}).requires_grad_());
  p.leaves.push_back(p.pool.back());
  for (int steps = 0; steps < 48 && !p.in.done(); ++steps) {
    try {
      p.step();
    } catch (const ag::ValueError&) {
    } catch (const ag::ShapeError&) {
    } catch (const ag::DTypeError&) {
    } catch (const ag::IndexError&) {
    } catch (const ag::GraphError&) {
    }
  }
  p.backward();  // must not throw: every recorded op has a working backward
  return 0;
}

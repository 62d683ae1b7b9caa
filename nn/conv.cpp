// SPDX-License-Identifier: MIT
#include "autograd/nn/conv.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ag::nn {
namespace {

// x as (N, C, L), and whether it came unbatched.
std::pair<Tensor, bool> batched(const Tensor& x, const char* op) {
  if (x.dim() != 2 && x.dim() != 3) {
    detail::fail<ShapeError>(
        "{}: input must be (batch, channels, length) or (channels, length), "
        "got {}",
        op, x.shape());
  }
  return {x.dim() == 2 ? unsqueeze(x, 0) : x, x.dim() == 2};
}

Tensor unbatched_if(const Tensor& y, bool unbatched) { return unbatched ? select(y, 0, 0) : y; }

// Windows per row for a length, window span and stride; ceil_mode lets a
// last partial window start inside the input or left padding (PyTorch's rule).
std::int64_t window_count(std::int64_t padded, std::int64_t span, std::int64_t stride,
                          bool ceil_mode, std::int64_t length, std::int64_t padding,
                          const char* op) {
  if (padded < span) {
    detail::fail<ShapeError>("{}: a window of {} is longer than the padded input of {}", op, span,
                             padded);
  }
  std::int64_t count = (padded - span + (ceil_mode ? stride - 1 : 0)) / stride + 1;
  if (ceil_mode && (count - 1) * stride >= length + padding) --count;
  return count;
}

void check_pool(std::int64_t kernel, const Pool1dOptions& o, const char* op) {
  const std::int64_t stride = o.stride == 0 ? kernel : o.stride;
  if (kernel < 1 || stride < 1 || o.dilation < 1 || o.padding < 0) {
    detail::fail<ShapeError>(
        "{}: kernel {}, stride {}, dilation {} must be positive, padding {} "
        "not negative",
        op, kernel, stride, o.dilation, o.padding);
  }
  if (o.padding > kernel / 2) {
    detail::fail<ShapeError>("{}: padding {} is more than half the kernel {}", op, o.padding,
                             kernel);
  }
}

// x (N, C, L) padded by `value` and cut into (N, C, count, kernel) windows.
Tensor pool_windows(const Tensor& x, std::int64_t kernel, const Pool1dOptions& o, double value,
                    const char* op) {
  const std::int64_t stride = o.stride == 0 ? kernel : o.stride, length = x.size(2);
  const std::int64_t span = o.dilation * (kernel - 1) + 1;
  const std::int64_t count =
      window_count(length + 2 * o.padding, span, stride, o.ceil_mode, length, o.padding, op);
  const std::int64_t right = std::max<std::int64_t>(
      o.padding, (count - 1) * stride + span - length - o.padding);  // ceil mode reads past
  const Tensor padded = o.padding > 0 || right > 0 ? pad(x, {o.padding, right}, value) : x;
  const std::int64_t len = padded.size(2);
  return as_strided(padded, {x.size(0), x.size(1), count, kernel},
                    {x.size(1) * len, len, stride, o.dilation});
}

}  // namespace

Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias,
              const Conv1dOptions& o) {
  const auto [x, unbatched] = batched(input, "conv1d");
  const std::int64_t n = x.size(0), channels = x.size(1), groups = o.groups;
  if (weight.dim() != 3 || groups < 1 || channels % groups != 0 || weight.size(0) % groups != 0 ||
      weight.size(1) * groups != channels) {
    detail::fail<ShapeError>("conv1d: weight {} with {} groups does not fit input {}",
                             weight.shape(), groups, input.shape());
  }
  if (bias.defined() && bias.shape() != Shape{weight.size(0)}) {
    detail::fail<ShapeError>("conv1d: bias must be [{}], got {}", weight.size(0), bias.shape());
  }
  if (o.stride < 1 || o.dilation < 1 || o.padding < 0) {
    detail::fail<ShapeError>(
        "conv1d: stride {} and dilation {} must be positive, padding {} not "
        "negative",
        o.stride, o.dilation, o.padding);
  }
  const std::int64_t out_channels = weight.size(0), per_group = channels / groups;
  const std::int64_t kernel = weight.size(2);
  if (kernel < 1) {  // PyTorch: "kernel size should be greater than zero"
    detail::fail<ShapeError>("conv1d: kernel size must be positive, weight is {}", weight.shape());
  }
  const std::int64_t span = o.dilation * (kernel - 1) + 1;
  // Channels last, so each window's channels are one contiguous run.
  const Tensor padded = transpose(o.padding > 0 ? pad(x, {o.padding, o.padding}) : x, 1, 2);
  const std::int64_t len = padded.size(1);
  const std::int64_t count =
      window_count(len, span, o.stride, false, x.size(2), o.padding, "conv1d");
  // im2col: (groups, N·count, K·per_group), one copy; then one (batched) GEMM
  // with the weight as (groups, C_out / groups, K·per_group).
  const Tensor cols = reshape(
      as_strided(padded, {groups, n, count, kernel, per_group},
                 {per_group, len * channels, o.stride * channels, o.dilation * channels, 1}),
      {groups, n * count, kernel * per_group});
  const Tensor w =
      reshape(permute(weight, {0, 2, 1}), {groups, out_channels / groups, kernel * per_group});
  Tensor y;
  if (groups == 1) {
    y = linear(reshape(cols, {n * count, kernel * per_group}), select(w, 0, 0), bias);
  } else {
    y = reshape(permute(matmul(cols, transpose(w, 1, 2)), {1, 0, 2}), {n * count, out_channels});
    if (bias.defined()) y = y + bias;
  }
  return unbatched_if(transpose(reshape(y, {n, count, out_channels}), 1, 2), unbatched);
}

Conv1d::Conv1d(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel_size,
               const Conv1dOptions& options, DType dtype, Generator& gen)
    : options_(options) {
  if (in_channels < 1 || out_channels < 1 || kernel_size < 1 || options.groups < 1 ||
      in_channels % options.groups != 0 || out_channels % options.groups != 0) {
    detail::fail<ShapeError>("Conv1d: channels {} -> {}, kernel {}, groups {} do not fit",
                             in_channels, out_channels, kernel_size, options.groups);
  }
  const std::int64_t fan_in = in_channels / options.groups * kernel_size;
  const double k = 1.0 / std::sqrt(static_cast<double>(fan_in));
  weight = register_parameter(
      "weight", rand({out_channels, in_channels / options.groups, kernel_size}, gen, dtype, -k, k));
  if (options.bias) bias = register_parameter("bias", rand({out_channels}, gen, dtype, -k, k));
}

std::string Conv1d::name() const {
  std::string s = fmt::format("Conv1d({}, {}, kernel_size={}", weight.size(1) * options_.groups,
                              weight.size(0), weight.size(2));
  if (options_.stride != 1) s += fmt::format(", stride={}", options_.stride);
  if (options_.padding != 0) s += fmt::format(", padding={}", options_.padding);
  if (options_.dilation != 1) s += fmt::format(", dilation={}", options_.dilation);
  if (options_.groups != 1) s += fmt::format(", groups={}", options_.groups);
  if (!options_.bias) s += ", bias=false";
  return s + ")";
}

Tensor max_pool1d(const Tensor& input, std::int64_t kernel_size, const Pool1dOptions& options) {
  check_pool(kernel_size, options, "max_pool1d");
  const auto [x, unbatched] = batched(input, "max_pool1d");
  const double lowest = -std::numeric_limits<double>::infinity();
  return unbatched_if(max(pool_windows(x, kernel_size, options, lowest, "max_pool1d"), -1).values,
                      unbatched);
}

Tensor avg_pool1d(const Tensor& input, std::int64_t kernel_size, const Pool1dOptions& options) {
  check_pool(kernel_size, options, "avg_pool1d");
  if (options.dilation != 1) detail::fail<ShapeError>("avg_pool1d: has no dilation");
  const auto [x, unbatched] = batched(input, "avg_pool1d");
  const Tensor sums = sum(pool_windows(x, kernel_size, options, 0.0, "avg_pool1d"), -1);
  // PyTorch's divisors: a window counts padding (if asked) but not what
  // ceil mode reads past the padding.
  const std::int64_t stride = options.stride == 0 ? kernel_size : options.stride;
  const std::int64_t p = options.padding, length = x.size(2);
  std::vector<double> divisor;
  for (std::int64_t i = 0; i < sums.size(2); ++i) {
    const std::int64_t start = i * stride - p;
    const std::int64_t stop = std::min(start + kernel_size, length + p);
    divisor.push_back(
        options.count_include_pad
            ? static_cast<double>(stop - start)
            : static_cast<double>(std::min(stop, length) - std::max<std::int64_t>(start, 0)));
  }
  const Tensor divisors = Tensor::from(divisor, {sums.size(2)}).to(x.dtype());
  return unbatched_if(sums / divisors, unbatched);
}

namespace {
template <class Reduce>
Tensor adaptive_pool(const Tensor& input, std::int64_t output_size, Reduce reduce, const char* op) {
  const auto [x, unbatched] = batched(input, op);
  const std::int64_t length = x.size(2);
  if (output_size < 1 || length < 1) {
    detail::fail<ShapeError>("{}: output size {} and length {} must be positive", op, output_size,
                             length);
  }
  std::vector<Tensor> windows;
  for (std::int64_t i = 0; i < output_size; ++i) {
    const std::int64_t start = i * length / output_size;
    const std::int64_t stop = ((i + 1) * length + output_size - 1) / output_size;
    windows.push_back(reduce(slice(x, 2, start, stop)));
  }
  return unbatched_if(windows.size() == 1 ? unsqueeze(windows[0], 2) : stack(windows, 2),
                      unbatched);
}
}  // namespace

Tensor adaptive_max_pool1d(const Tensor& x, std::int64_t output_size) {
  return adaptive_pool(
      x, output_size, [](const Tensor& w) { return max(w, -1).values; }, "adaptive_max_pool1d");
}

Tensor adaptive_avg_pool1d(const Tensor& x, std::int64_t output_size) {
  return adaptive_pool(
      x, output_size, [](const Tensor& w) { return mean(w, -1); }, "adaptive_avg_pool1d");
}

std::string Pool1d::name() const {
  std::string s = fmt::format("{}(kernel_size={}, stride={}", layer_, kernel_,
                              options_.stride == 0 ? kernel_ : options_.stride);
  if (options_.padding != 0) s += fmt::format(", padding={}", options_.padding);
  if (options_.dilation != 1) s += fmt::format(", dilation={}", options_.dilation);
  if (options_.ceil_mode) s += ", ceil_mode=true";
  return s + ")";
}

std::string AdaptivePool1d::name() const {
  return fmt::format("{}(output_size={})", layer_, size_);
}

}  // namespace ag::nn

// SPDX-License-Identifier: MIT
// One-dimensional convolution and pooling over (batch, channels, length)
// or unbatched (channels, length) inputs, as torch.nn's. Each reads its
// windows with as_strided (im2col, one copy) and reduces them with one
// GEMM (conv) or a reduction (pools), so gradients of any order come from
// those ops.
#pragma once

#include <string>

#include "autograd/generator.hpp"
#include "autograd/nn/module.hpp"
#include "autograd/ops.hpp"

namespace ag::nn {

/// How a convolution or pool slides (torch.nn's arguments).
struct Conv1dOptions {
  std::int64_t stride = 1;    ///< step between windows
  std::int64_t padding = 0;   ///< zeros on both ends
  std::int64_t dilation = 1;  ///< spacing of a window's elements
  std::int64_t groups = 1;    ///< input and output channels in this many independent groups
  bool bias = true;           ///< a learned bias per output channel
};

/// y[n, o, t] = b[o] + Σ_{c,k} w[o, c, k] · x[n, g·C/G + c, t·stride + k·dilation - padding]
/// (cross-correlation, as F.conv1d): x (N, C_in, L) or (C_in, L), weight
/// (C_out, C_in / groups, K), bias (C_out) or undefined.
Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
              const Conv1dOptions& options = {});

/// conv1d as a layer; weight and bias uniform in ±1/√(C_in / groups · K), as PyTorch's.
class Conv1d : public Module {
 public:
  /// in_channels to out_channels with windows of kernel_size.
  Conv1d(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel_size,
         const Conv1dOptions& options = {}, DType dtype = default_dtype(),
         Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override { return conv1d(x, weight, bias, options_); }
  std::string name() const override;
  Tensor weight;  ///< (out_channels, in_channels / groups, kernel_size)
  Tensor bias;    ///< (out_channels); undefined without bias

 private:
  Conv1dOptions options_;
};

/// How a pool slides: stride 0 means the kernel size (PyTorch's default).
struct Pool1dOptions {
  std::int64_t stride = 0;        ///< step between windows; 0: kernel_size
  std::int64_t padding = 0;       ///< on both ends, at most kernel_size / 2
  std::int64_t dilation = 1;      ///< max pool only
  bool ceil_mode = false;         ///< a last partial window when it starts inside
  bool count_include_pad = true;  ///< average pool: padding counts in the divisor
};

/// The max of each window (padding is -inf); the gradient goes to the
/// window's first maximum, as PyTorch's.
Tensor max_pool1d(const Tensor& x, std::int64_t kernel_size, const Pool1dOptions& options = {});
/// The mean of each window (padding is zero; see count_include_pad).
Tensor avg_pool1d(const Tensor& x, std::int64_t kernel_size, const Pool1dOptions& options = {});
///@{
/// Max / mean over `output_size` windows that cover the length as evenly
/// as PyTorch's adaptive pools: window i spans [⌊iL/n⌋, ⌈(i+1)L/n⌉).
/// adaptive_max_pool1d(x, 1) is max over time.
Tensor adaptive_max_pool1d(const Tensor& x, std::int64_t output_size);
Tensor adaptive_avg_pool1d(const Tensor& x, std::int64_t output_size);
///@}

/// What the pool modules share: a pool function and its settings.
class Pool1d : public Module {
 public:
  Tensor forward(const Tensor& x) override { return pool_(x, kernel_, options_); }
  std::string name() const override;

 protected:
  /// A pool function: max_pool1d or avg_pool1d.
  using Pool = Tensor (*)(const Tensor&, std::int64_t, const Pool1dOptions&);
  /// `layer` names it; `pool` runs over windows of `kernel_size`.
  Pool1d(const char* layer, Pool pool, std::int64_t kernel_size, const Pool1dOptions& options)
      : layer_(layer), pool_(pool), kernel_(kernel_size), options_(options) {}

 private:
  const char* layer_;
  Pool pool_;
  std::int64_t kernel_;
  Pool1dOptions options_;
};

/// max_pool1d as a module.
class MaxPool1d : public Pool1d {
 public:
  /// Windows of kernel_size.
  explicit MaxPool1d(std::int64_t kernel_size, const Pool1dOptions& options = {})
      : Pool1d("MaxPool1d", max_pool1d, kernel_size, options) {}
};

/// avg_pool1d as a module.
class AvgPool1d : public Pool1d {
 public:
  /// Windows of kernel_size.
  explicit AvgPool1d(std::int64_t kernel_size, const Pool1dOptions& options = {})
      : Pool1d("AvgPool1d", avg_pool1d, kernel_size, options) {}
};

/// What the adaptive pool modules share: a pool function and its output size.
class AdaptivePool1d : public Module {
 public:
  Tensor forward(const Tensor& x) override { return pool_(x, size_); }
  std::string name() const override;

 protected:
  /// A pool function: adaptive_max_pool1d or adaptive_avg_pool1d.
  using Pool = Tensor (*)(const Tensor&, std::int64_t);
  /// `layer` names it; `pool` runs to `output_size` windows.
  AdaptivePool1d(const char* layer, Pool pool, std::int64_t output_size)
      : layer_(layer), pool_(pool), size_(output_size) {}

 private:
  const char* layer_;
  Pool pool_;
  std::int64_t size_;
};

/// adaptive_max_pool1d as a module.
class AdaptiveMaxPool1d : public AdaptivePool1d {
 public:
  /// To output_size windows.
  explicit AdaptiveMaxPool1d(std::int64_t output_size)
      : AdaptivePool1d("AdaptiveMaxPool1d", adaptive_max_pool1d, output_size) {}
};

/// adaptive_avg_pool1d as a module.
class AdaptiveAvgPool1d : public AdaptivePool1d {
 public:
  /// To output_size windows.
  explicit AdaptiveAvgPool1d(std::int64_t output_size)
      : AdaptivePool1d("AdaptiveAvgPool1d", adaptive_avg_pool1d, output_size) {}
};

}  // namespace ag::nn

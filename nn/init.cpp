// SPDX-License-Identifier: MIT
#include "autograd/nn/init.hpp"

#include <cmath>

#include "autograd/ops.hpp"

namespace ag::nn::init {

double calculate_gain(std::string_view nonlinearity, double param) {
  if (nonlinearity == "linear" || nonlinearity == "sigmoid" || nonlinearity == "identity") {
    return 1.0;
  }
  if (nonlinearity == "tanh") return 5.0 / 3.0;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") return std::sqrt(2.0 / (1.0 + param * param));
  if (nonlinearity == "selu") return 3.0 / 4.0;
  detail::fail<ValueError>("calculate_gain: unknown nonlinearity '{}'", nonlinearity);
}

Fans fans(const Tensor& weight) {
  if (weight.dim() < 2) {
    detail::fail<ShapeError>("init: fan in/out need a weight of at least 2 dims, got {}",
                             weight.shape());
  }
  std::int64_t receptive = 1;
  for (std::int64_t k = 2; k < weight.dim(); ++k) receptive *= weight.shape()[k];
  return {weight.shape()[1] * receptive, weight.shape()[0] * receptive};
}

void uniform_(Tensor& t, double low, double high, Generator& gen) {
  if (!(std::isfinite(low) && std::isfinite(high) && low <= high)) {
    detail::fail<ValueError>("uniform_: bounds [{}, {}) must be finite and ordered", low, high);
  }
  t.assign(rand(t.shape(), gen, t.dtype(), low, high));
}

void normal_(Tensor& t, double mean, double stddev, Generator& gen) {
  if (!(std::isfinite(mean) && std::isfinite(stddev) && stddev >= 0)) {
    detail::fail<ValueError>("normal_: mean {} and stddev {} must be finite, stddev >= 0", mean,
                             stddev);
  }
  t.assign(randn(t.shape(), gen, t.dtype(), mean, stddev));
}

void constant_(Tensor& t, double value) { t.assign(full(t.shape(), value, t.dtype())); }
void zeros_(Tensor& t) { constant_(t, 0.0); }
void ones_(Tensor& t) { constant_(t, 1.0); }

void xavier_uniform_(Tensor& t, double gain, Generator& gen) {
  const Fans f = fans(t);
  const double a = gain * std::sqrt(6.0 / static_cast<double>(f.in + f.out));
  uniform_(t, -a, a, gen);
}

void xavier_normal_(Tensor& t, double gain, Generator& gen) {
  const Fans f = fans(t);
  normal_(t, 0.0, gain * std::sqrt(2.0 / static_cast<double>(f.in + f.out)), gen);
}

namespace {
double kaiming_std(const Tensor& t, double a, std::string_view mode,
                   std::string_view nonlinearity) {
  const Fans f = fans(t);
  if (mode != "fan_in" && mode != "fan_out") {
    detail::fail<ValueError>("kaiming: mode must be fan_in or fan_out, not '{}'", mode);
  }
  const double fan = static_cast<double>(mode == "fan_in" ? f.in : f.out);
  return calculate_gain(nonlinearity, a) / std::sqrt(fan);
}
}  // namespace

void kaiming_uniform_(Tensor& t, double a, std::string_view mode, std::string_view nonlinearity,
                      Generator& gen) {
  const double bound = std::sqrt(3.0) * kaiming_std(t, a, mode, nonlinearity);
  uniform_(t, -bound, bound, gen);
}

void kaiming_normal_(Tensor& t, double a, std::string_view mode, std::string_view nonlinearity,
                     Generator& gen) {
  normal_(t, 0.0, kaiming_std(t, a, mode, nonlinearity), gen);
}

}  // namespace ag::nn::init

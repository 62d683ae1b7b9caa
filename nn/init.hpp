// SPDX-License-Identifier: MIT
// Parameter initialisation (torch.nn.init), in place, from a seedable
// generator (the thread's default_generator() unless one is given).
#pragma once

#include <string_view>

#include "autograd/generator.hpp"
#include "autograd/tensor.hpp"

namespace ag::nn::init {

/// The recommended gain for a nonlinearity: "linear"/"sigmoid" 1, "tanh" 5/3,
/// "relu" √2, "leaky_relu" √(2/(1+slope²)), "selu" 3/4.
double calculate_gain(std::string_view nonlinearity, double param = 0.01);

/// fan_in and fan_out of a weight (out, in, ...): in·receptive, out·receptive.
struct Fans {
  std::int64_t in;   ///< fan_in
  std::int64_t out;  ///< fan_out
};
/// A weight's Fans.
Fans fans(const Tensor& weight);

/// Fills `t` in place: U(low, high), N(mean, stddev²) from `gen`, or a constant.
///@{
void uniform_(Tensor& t, double low = 0.0, double high = 1.0, Generator& gen = default_generator());
void normal_(Tensor& t, double mean = 0.0, double stddev = 1.0,
             Generator& gen = default_generator());
void constant_(Tensor& t, double value);
void zeros_(Tensor& t);
void ones_(Tensor& t);
///@}
/// U(-a, a) with a = gain·√(6/(fan_in + fan_out)).
void xavier_uniform_(Tensor& t, double gain = 1.0, Generator& gen = default_generator());
/// N(0, σ²) with σ = gain·√(2/(fan_in + fan_out)).
void xavier_normal_(Tensor& t, double gain = 1.0, Generator& gen = default_generator());
/// U(-b, b) with b = gain·√(3/fan), gain = calculate_gain(nonlinearity, a),
/// fan = fan_in (mode "fan_in") or fan_out.
void kaiming_uniform_(Tensor& t, double a = 0.0, std::string_view mode = "fan_in",
                      std::string_view nonlinearity = "leaky_relu",
                      Generator& gen = default_generator());
/// N(0, σ²) with σ = gain/√fan.
void kaiming_normal_(Tensor& t, double a = 0.0, std::string_view mode = "fan_in",
                     std::string_view nonlinearity = "leaky_relu",
                     Generator& gen = default_generator());

}  // namespace ag::nn::init

// SPDX-License-Identifier: MIT
// Element types of tensors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <type_traits>

#include "autograd/error.hpp"

namespace ag {

/// float32 (the default) and float64 are differentiable; int64 holds
/// indices and class labels, boolean holds masks.
enum class DType : std::uint8_t { float32, float64, int64, boolean };

/// "float32", "float64", "int64", "bool".
constexpr std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case DType::float32:
      return "float32";
    case DType::float64:
      return "float64";
    case DType::int64:
      return "int64";
    case DType::boolean:
      return "bool";
  }
  return "?";
}

/// Bytes per element.
constexpr std::size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::float32:
      return 4;
    case DType::float64:
      return 8;
    case DType::int64:
      return 8;
    case DType::boolean:
      return 1;
  }
  return 0;
}

/// float32 or float64: the differentiable dtypes.
constexpr bool is_floating(DType dtype) {
  return dtype == DType::float32 || dtype == DType::float64;
}

/// The dtype a buffer of C++ type T is: float → float32, double →
/// float64, std::int64_t → int64, bool → bool.
template <class T>
constexpr DType dtype_of() {
  if constexpr (std::is_same_v<T, float>) {
    return DType::float32;
  } else if constexpr (std::is_same_v<T, double>) {
    return DType::float64;
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    return DType::int64;
  } else if constexpr (std::is_same_v<T, bool>) {
    return DType::boolean;
  } else {
    static_assert(sizeof(T) == 0,
                  "a tensor's elements are float, double, std::int64_t or bool; other types have "
                  "no dtype (Tensor::from converts any integer type to int64)");
  }
}

/// What Tensor::from stores elements of type T as: floating types as
/// themselves, any other integer type as std::int64_t (int64), bool as bool.
template <class T>
using stored_type_t =
    std::conditional_t<std::is_same_v<T, bool> || std::is_floating_point_v<T>, T,
                       std::conditional_t<std::is_integral_v<T>, std::int64_t, T>>;

/// The dtype factories and layers use when none is given: float32 unless
/// set_default_dtype (per thread, like gradient mode; torch.set_default_dtype).
DType default_dtype();
/// Sets it: float32 or float64 (DTypeError otherwise).
void set_default_dtype(DType dtype);

namespace detail {

/// Calls f(T{}) with T the C++ type of a floating dtype; DTypeError otherwise.
template <class F>
decltype(auto) visit_floating(DType dtype, std::string_view op, F&& f) {
  switch (dtype) {
    case DType::float32:
      return f(float{});
    case DType::float64:
      return f(double{});
    default:
      fail<DTypeError>("{}: expected a float32 or float64 tensor, got {}", op, dtype_name(dtype));
  }
}

/// Whether v's whole part is an int64 (NaN and ±inf are not).
constexpr bool fits_int64(double v) { return v >= -0x1p63 && v < 0x1p63; }

/// v converted to element type T as a tensor conversion (Tensor::to) does:
/// a float to int64 truncates toward zero, and gives INT64_MIN for NaN and
/// values outside int64 (what x86's conversion, and so PyTorch on a CPU,
/// gives; in C++ the plain cast would be undefined).
template <class T, class From>
constexpr T convert_element(From v) {
  if constexpr (std::is_same_v<T, std::int64_t> && std::is_floating_point_v<From>) {
    return fits_int64(static_cast<double>(v)) ? static_cast<std::int64_t>(v)
                                              : std::numeric_limits<std::int64_t>::min();
  } else {
    return static_cast<T>(v);
  }
}

/// Calls f(T{}) with T the C++ type of any dtype.
template <class F>
decltype(auto) visit_any(DType dtype, F&& f) {
  switch (dtype) {
    case DType::float32:
      return f(float{});
    case DType::float64:
      return f(double{});
    case DType::int64:
      return f(std::int64_t{});
    case DType::boolean:
      return f(bool{});
  }
  return f(float{});
}

}  // namespace detail
}  // namespace ag

/// \cond FMT
template <>
struct fmt::formatter<ag::DType> : fmt::formatter<std::string_view> {
  auto format(ag::DType dtype, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(ag::dtype_name(dtype), ctx);
  }
};
/// \endcond

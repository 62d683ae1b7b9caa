// SPDX-License-Identifier: MIT
// Reading PyTorch reference cases (../shared/conformance's schema) and
// checking one file of them: forward output, extra outputs, and
// vector-Jacobian products, at the tolerances of the data's README.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "autograd/autograd.hpp"

namespace conformance {
using namespace ag;
using json = nlohmann::json;

/// A stored tensor (float64 unless its dtype says int64 or bool).
inline Tensor load(const json& t) {
  const Shape shape = t.at("shape").get<std::vector<std::int64_t>>();
  const std::string dtype = t.value("dtype", "float64");
  if (dtype == "int64") return Tensor::from(t.at("data").get<std::vector<std::int64_t>>(), shape);
  if (dtype == "bool") {
    std::vector<double> data;
    for (const auto& v : t.at("data")) data.push_back(v.get<bool>() ? 1.0 : 0.0);
    return Tensor::from(data, shape).to(DType::boolean);
  }
  return Tensor::from(t.at("data").get<std::vector<double>>(), shape);
}

/// A case's op applied to its named inputs; an extra output (indices) goes to *extra.
using Apply =
    std::function<Tensor(const json& c, std::map<std::string, Tensor>& in, Tensor* extra)>;

inline void compare(const std::string& what, const Tensor& got, const json& want, double rtol,
                    double atol) {
  CAPTURE(what);
  REQUIRE(got.shape() == Shape(want.at("shape").get<std::vector<std::int64_t>>()));
  // PyTorch's dtype: int64 and bool say so; a float (any width here).
  if (want.contains("dtype")) {
    CHECK(std::string(dtype_name(got.dtype())) == want.at("dtype").get<std::string>());
  } else {
    CHECK(is_floating(got.dtype()));
  }
  const std::vector<double> g = got.to_vector();
  std::vector<double> w;
  for (const json& v : want.at("data"))
    w.push_back(v.is_boolean() ? v.get<bool>() : v.get<double>());
  for (std::size_t i = 0; i < w.size(); ++i) {
    CAPTURE(i);
    CHECK(std::fabs(g[i] - w[i]) <= atol + rtol * std::fabs(w[i]));
  }
}

/// Every case of one file; returns how many matched.
inline void check_cases(const std::filesystem::path& file, const Apply& apply) {
  const json data = json::parse(std::ifstream(file));
  int checked = 0;
  for (const json& c : data.at("cases")) {
    const std::string name = c.at("name");
    CAPTURE(name);
    std::map<std::string, Tensor> in;
    for (const auto& [key, t] : c.at("inputs").items()) {
      in[key] = load(t);
      if (t.at("requires_grad").get<bool>()) in[key].requires_grad_();
    }
    Tensor indices;
    const Tensor out = apply(c, in, &indices);
    const auto tags = c.at("tags").get<std::set<std::string>>();
    const bool differentiable = !c.at("upstream").is_null();
    const Tensor upstream = differentiable ? load(c.at("upstream")) : Tensor();
    double largest = 1.0;
    if (differentiable)
      for (double u : upstream.to_vector()) largest = std::max(largest, std::fabs(u));
    const double atol = tags.count("hard") ? 1e-15 * largest : 1e-12;
    // BCE at p = 0 or 1 exercises PyTorch's clamps: the README allows 1e-8.
    const double rtol = tags.count("edge") ? 1e-8 : 1e-9;
    compare("output", out, c.at("output"), rtol, atol);
    if (c.contains("extra_outputs")) {
      compare("indices", indices, c.at("extra_outputs").at("indices"), 0, 0);
    }
    std::vector<Tensor> wrt;
    std::vector<std::string> names;
    for (const auto& [key, g] : c.at("grads").items()) {
      wrt.push_back(in[key]);
      names.push_back(key);
    }
    if (!wrt.empty()) {
      // PyTorch's None (unused input) is stored as zeros.
      const std::vector<Tensor> grads = grad({out}, wrt, {upstream}, false, std::nullopt, true);
      for (std::size_t k = 0; k < grads.size(); ++k) {
        const Tensor g = grads[k].defined() ? grads[k] : zeros(wrt[k].shape(), wrt[k].dtype());
        compare("grad " + names[k], g, c.at("grads").at(names[k]), rtol, atol);
      }
    }
    ++checked;
  }
  MESSAGE(checked << " cases matched in " << file.string());
  CHECK(checked == static_cast<int>(data.at("cases").size()));
}

}  // namespace conformance

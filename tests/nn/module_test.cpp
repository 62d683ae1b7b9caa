// SPDX-License-Identifier: MIT
// nn/module.cpp: parameters, names, modes, summary.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>

#include "autograd/nn/nn.hpp"

using namespace ag;
using Args = std::vector<Tensor>;

TEST_CASE("module: modules register parameters with hierarchical names") {
  manual_seed(1);
  auto mlp = nn::MLP({2, 3, 1}, "tanh", "sigmoid");
  const auto named = mlp->named_parameters();
  REQUIRE(named.size() == 4);
  CHECK(named[0].first == "0.weight");
  CHECK(named[1].first == "0.bias");
  CHECK(named[2].first == "2.weight");
  CHECK(named[0].second.shape() == Shape{3, 2});
  CHECK(mlp->num_parameters() == 3 * 2 + 3 + 3 + 1);
  CHECK(mlp->parameters()[0].requires_grad());
  const std::string table = mlp->summary({5, 2});
  CHECK(table.find("Linear(in_features=2, out_features=3, bias=true)") != std::string::npos);
  CHECK(table.find("[5, 3]") != std::string::npos);
  CHECK(table.find("total parameters: 13") != std::string::npos);
  mlp->eval();
  CHECK_FALSE((*mlp)[0].is_training());
  CHECK_THROWS_AS(nn::activation("swish"), ValueError);
}

namespace {
struct Twice : nn::Module {
  explicit Twice(const std::string& second) {
    register_parameter("w", ones({1}));
    register_parameter(second, ones({1}));
  }
  Tensor forward(const Tensor& x) override { return x; }
  std::string name() const override { return "Twice"; }
};
}  // namespace

TEST_CASE("module: a name is registered once, and is a valid name") {
  // Two parameters named "w" saved, then could not be loaded back.
  CHECK_THROWS_WITH(Twice("w"), doctest::Contains("'w' is already the name"));
  CHECK_THROWS_AS(Twice(""), ValueError);
  CHECK_THROWS_AS(Twice("a.b"), ValueError);
  CHECK(Twice("v").named_parameters().size() == 2);
}

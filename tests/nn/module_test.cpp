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

TEST_CASE("module: forward pre-hooks and hooks see, and may replace, inputs and outputs") {
  nn::Sequential net(nn::Linear(2, 3), nn::ReLU(), nn::Linear(3, 1));
  const Tensor x = ones({4, 2});
  const Tensor plain = net(x);
  std::vector<std::string> calls;
  const unsigned pre =
      net.register_forward_pre_hook([&](nn::Module& m, const std::vector<Tensor>& in) {
        calls.push_back("pre " + m.name().substr(0, 10) + " " + std::to_string(in.size()));
      });
  const unsigned post =
      net.register_forward_hook([&](nn::Module&, const std::vector<Tensor>&, const Tensor& out) {
        calls.push_back("post " + std::to_string(out.shape()[0]));
      });
  CHECK(max(abs(net(x) - plain)).item() == 0.0);  // looking changes nothing
  REQUIRE(calls.size() == 2);
  CHECK(calls[0] == "pre Sequential 1");
  CHECK(calls[1] == "post 4");
  // Replacing: the input zeroed before forward, the output negated after.
  net.register_forward_pre_hook(
      [](nn::Module&, const std::vector<Tensor>& in) -> std::optional<std::vector<Tensor>> {
        return std::vector<Tensor>{in[0] * 0.0};
      });
  const unsigned negate =
      net.register_forward_hook([](nn::Module&, const std::vector<Tensor>&,
                                   const Tensor& out) -> std::optional<Tensor> { return -out; });
  const Tensor at_zero = -(*net.children()[2].second)(
      (*net.children()[1].second)((*net.children()[0].second)(zeros({4, 2}))));
  CHECK(max(abs(net(x) - at_zero)).item() == 0.0);
  net.remove_hook(negate);
  net.remove_hook(pre);
  net.remove_hook(post);
  calls.clear();
  CHECK(max(abs(net(x) + at_zero)).item() == 0.0);
  CHECK(calls.empty());
}

TEST_CASE("module: a submodule's forward hook sees its own input and output") {
  nn::Sequential net(nn::Linear(2, 3), nn::Tanh());
  Shape seen_in, seen_out;
  net.children()[0].second->register_forward_hook(
      [&](nn::Module&, const std::vector<Tensor>& in, const Tensor& out) {
        seen_in = in[0].shape();
        seen_out = out.shape();
      });
  net(ones({5, 2}));
  CHECK(seen_in == Shape{5, 2});
  CHECK(seen_out == Shape{5, 3});
}

// SPDX-License-Identifier: MIT
// nn/containers.cpp, nn::call and state_dict's order, as PyTorch's.
#include <doctest/doctest.h>

#include "autograd/nn/nn.hpp"

using namespace ag;

namespace {
// A model whose forward takes (idx, targets) and returns (logits, loss).
struct Lm : nn::Module {
  std::shared_ptr<nn::Embedding> embed =
      register_module("embed", std::make_shared<nn::Embedding>(5, 4));
  std::shared_ptr<nn::ModuleList> blocks =
      register_module("blocks", std::make_shared<nn::ModuleList>());
  Lm() {
    for (int i = 0; i < 2; ++i) blocks->push_back(nn::Linear(4, 4));
    blocks->push_back(nn::Linear(4, 5));
  }
  using Module::forward;
  std::pair<Tensor, Tensor> forward(const Tensor& idx, const Tensor& targets) {
    Tensor h = (*embed)(idx);
    for (const auto& block : *blocks) h = tanh((*block)(h));
    return {h, nn::cross_entropy(h, targets)};
  }
  std::string name() const override { return "Lm"; }
};
}  // namespace

TEST_CASE("containers: ModuleList, ModuleDict, ParameterList register what they hold") {
  Lm model;
  CHECK(model.blocks->size() == 3);
  CHECK(model.named_parameters()[1].first == "blocks.0.weight");
  CHECK(model.blocks->at<nn::Linear>(-1).weight.shape() == Shape{5, 4});
  CHECK_THROWS_AS(model.blocks->ptr(3), IndexError);
  CHECK_THROWS_AS(model.blocks->at<nn::Embedding>(0), ValueError);
  const auto [logits, loss] = nn::call(model, Tensor::from({0, 3, 4}), Tensor::from({1, 2, 0}));
  CHECK(logits.shape() == Shape{3, 5});
  loss.backward();
  CHECK(model.blocks->at<nn::Linear>(0).weight.grad().defined());

  nn::ModuleDict heads;
  heads.insert("cls", std::make_shared<nn::Linear>(4, 2));
  heads.insert("reg", std::make_shared<nn::Linear>(4, 1));
  CHECK(heads.keys() == std::vector<std::string>{"cls", "reg"});
  CHECK(heads.contains("reg"));
  CHECK(heads["cls"].num_parameters() == 10);
  CHECK_THROWS_AS(heads["none"], IndexError);
  CHECK_THROWS_AS(heads.insert("cls", std::make_shared<nn::Linear>(1, 1)), ValueError);
  CHECK(heads.state_dict()[2].first == "reg.weight");

  nn::ParameterList list({zeros({2}), ones({3})});
  list.append(full({1}, 2.0));
  CHECK(list.size() == 3);
  CHECK(list[-1].requires_grad());
  CHECK(list.named_parameters()[2].first == "2");
  CHECK(list.parameters().size() == 3);
}

TEST_CASE("state_dict: each module's parameters, then its buffers, then its submodules'") {
  // PyTorch: 0.weight 0.bias 0.running_mean 0.running_var 0.num_batches_tracked 1.weight 1.bias
  nn::Sequential net(nn::BatchNorm1d(3), nn::Linear(3, 2));
  std::vector<std::string> names;
  for (const auto& [name, t] : net.state_dict()) names.push_back(name);
  REQUIRE(names.size() >= 6);
  CHECK(names[0] == "0.weight");
  CHECK(names[2] == "0.running_mean");
  CHECK(names[names.size() - 2] == "1.weight");
  CHECK(names.back() == "1.bias");
}

// SPDX-License-Identifier: MIT
// Containers of modules and parameters, as torch.nn.ModuleList, ModuleDict
// and ParameterList: they register what they hold (so parameters(),
// state_dict() and to() see it, named "0", "1", ... or by key) and have no
// forward of their own; the model that owns them loops over them.
//
//     struct Stack : ag::nn::Module {
//       std::shared_ptr<ag::nn::ModuleList> blocks =
//           register_module("blocks", std::make_shared<ag::nn::ModuleList>());
//       Stack() { for (int i = 0; i < 4; ++i) blocks->push_back(ag::nn::Linear(8, 8)); }
//       ag::Tensor forward(const ag::Tensor& x) override {
//         ag::Tensor h = x;
//         for (const auto& block : *blocks) h = ag::relu((*block)(h));
//         return h;
//       }
//       std::string name() const override { return "Stack"; }
//     };
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "autograd/nn/module.hpp"

namespace ag::nn {

/// Modules in a list, named "0", "1", ... (torch.nn.ModuleList).
class ModuleList : public Module {
 public:
  ModuleList() = default;
  /// The modules given, in order.
  explicit ModuleList(std::vector<std::shared_ptr<Module>> modules);
  /// Appends a module (by value, or shared).
  template <class M>
  requires std::derived_from<std::remove_cvref_t<M>, Module>
  void push_back(M&& module) {
    push_back(std::make_shared<std::remove_cvref_t<M>>(std::forward<M>(module)));
  }
  /// Appends a shared module (ValueError if null).
  void push_back(std::shared_ptr<Module> module);
  /// The number of modules.
  std::size_t size() const { return modules_.size(); }
  bool empty() const { return modules_.empty(); }  ///< whether it holds none
  /// Module k as shared (IndexError past the end, negative counts from it).
  const std::shared_ptr<Module>& ptr(std::int64_t k) const;
  /// Module k as its own type M (ValueError if it is not one).
  template <class M>
  M& at(std::int64_t k) const {
    auto* m = dynamic_cast<M*>(ptr(k).get());
    if (!m) detail::fail<ValueError>("ModuleList: module {} is a {}", k, ptr(k)->name());
    return *m;
  }
  /// Module k.
  Module& operator[](std::int64_t k) const { return *ptr(k); }
  /// The modules as shared pointers, in order (`for (const auto& m : list)`).
  ///@{
  auto begin() const { return modules_.begin(); }
  auto end() const { return modules_.end(); }
  ///@}
  std::string name() const override { return "ModuleList"; }

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};

/// Modules by name, in insertion order (torch.nn.ModuleDict).
class ModuleDict : public Module {
 public:
  ModuleDict() = default;
  /// Adds `module` under `key` (ValueError if the key is taken or not a valid name).
  void insert(const std::string& key, std::shared_ptr<Module> module);
  /// The module of `key` (IndexError naming the key when there is none).
  Module& operator[](const std::string& key) const { return *ptr(key); }
  /// The same, shared.
  const std::shared_ptr<Module>& ptr(const std::string& key) const;
  /// Whether a module has that key.
  bool contains(const std::string& key) const;
  /// The keys, in insertion order.
  std::vector<std::string> keys() const;
  std::size_t size() const { return children().size(); }  ///< the number of modules
  std::string name() const override { return "ModuleDict"; }
};

/// Parameters in a list, named "0", "1", ... (torch.nn.ParameterList).
class ParameterList : public Module {
 public:
  ParameterList() = default;
  /// The tensors given, each registered as a parameter.
  explicit ParameterList(const std::vector<Tensor>& params);
  /// Registers `param` (now requiring a gradient) under the next number.
  void append(const Tensor& param);
  std::size_t size() const { return params_.size(); }  ///< the number of parameters
  /// Parameter k (IndexError past the end, negative counts from it).
  const Tensor& operator[](std::int64_t k) const;
  /// The parameters, in order.
  ///@{
  auto begin() const { return params_.begin(); }
  auto end() const { return params_.end(); }
  ///@}
  std::string name() const override { return "ParameterList"; }

 private:
  std::vector<Tensor> params_;
};

}  // namespace ag::nn

// SPDX-License-Identifier: MIT
// ModuleList, ModuleDict, ParameterList: registration and checked access.
#include "autograd/nn/containers.hpp"

#include <fmt/ranges.h>

#include <algorithm>

#include "autograd/error.hpp"

namespace ag::nn {
namespace {
// Position k of `size` things, negative counting from the end; IndexError past it.
std::size_t position(std::int64_t k, std::size_t size, const char* what) {
  const auto n = static_cast<std::int64_t>(size);
  if (k < -n || k >= n) {
    detail::fail<IndexError>("{}: index {} is out of range for {} entries", what, k, size);
  }
  return static_cast<std::size_t>(k < 0 ? k + n : k);
}
}  // namespace

ModuleList::ModuleList(std::vector<std::shared_ptr<Module>> modules) {
  for (auto& m : modules) push_back(std::move(m));
}

void ModuleList::push_back(std::shared_ptr<Module> module) {
  if (!module) detail::fail<ValueError>("ModuleList: push_back of a null module");
  modules_.push_back(register_module(std::to_string(modules_.size()), std::move(module)));
}

const std::shared_ptr<Module>& ModuleList::ptr(std::int64_t k) const {
  return modules_[position(k, modules_.size(), "ModuleList")];
}

void ModuleDict::insert(const std::string& key, std::shared_ptr<Module> module) {
  if (!module) detail::fail<ValueError>("ModuleDict: '{}' is a null module", key);
  register_module(key, std::move(module));
}

const std::shared_ptr<Module>& ModuleDict::ptr(const std::string& key) const {
  for (const auto& [name, module] : children()) {
    if (name == key) return module;
  }
  detail::fail<IndexError>("ModuleDict: no module named '{}' (keys: {})", key, keys());
}

bool ModuleDict::contains(const std::string& key) const {
  const auto& all = children();
  return std::any_of(all.begin(), all.end(), [&](const auto& entry) { return entry.first == key; });
}

std::vector<std::string> ModuleDict::keys() const {
  std::vector<std::string> out;
  for (const auto& [name, module] : children()) out.push_back(name);
  return out;
}

ParameterList::ParameterList(const std::vector<Tensor>& params) {
  for (const Tensor& p : params) append(p);
}

void ParameterList::append(const Tensor& param) {
  params_.push_back(register_parameter(std::to_string(params_.size()), param));
}

const Tensor& ParameterList::operator[](std::int64_t k) const {
  return params_[position(k, params_.size(), "ParameterList")];
}

}  // namespace ag::nn

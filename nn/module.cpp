// SPDX-License-Identifier: MIT
#include "autograd/nn/module.hpp"

#include <fmt/ranges.h>

#include <map>
#include <set>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>

#include "autograd/grad_mode.hpp"
#include "autograd/ops.hpp"
#include "autograd/scope.hpp"

namespace ag::nn {
namespace {

// While summary() runs, operator() reports each module's output here.
struct SummaryRow {
  const Module* module;
  int depth;
  Shape output;
};
thread_local std::vector<SummaryRow>* summary_rows = nullptr;
thread_local int summary_depth = 0;

}  // namespace

NameScope Module::scope() {
  // The scope's id is cached for the scope the call comes from: a module
  // called in a loop looks it up (and formats its name) once.
  if (!scope_name_.empty() && detail::current_scope != scope_parent_) {
    scope_parent_ = detail::current_scope;
    scope_id_ = detail::intern_scope(scope_parent_, scope_name_, name()).value;
  }
  return NameScope(detail::ScopeId{scope_name_.empty() ? 0u : scope_id_});
}

template <class F>
Tensor Module::call(F&& run) {
  const NameScope scope = this->scope();
  if (!summary_rows) return run();
  const std::size_t row = summary_rows->size();
  summary_rows->push_back({this, summary_depth, {}});
  ++summary_depth;
  Tensor out = run();
  --summary_depth;
  (*summary_rows)[row].output = out.shape();
  return out;
}

Tensor Module::operator()(const Tensor& input) {
  if (!pre_hooks_.empty() || !forward_hooks_.empty()) [[unlikely]]
    return call_hooked({input});
  return call([&] { return forward(input); });
}
Tensor Module::operator()(const std::vector<Tensor>& inputs) {
  if (!pre_hooks_.empty() || !forward_hooks_.empty()) [[unlikely]]
    return call_hooked(inputs);
  return call([&] { return inputs.size() == 1 ? forward(inputs[0]) : forward_many(inputs); });
}

Tensor Module::call_hooked(std::vector<Tensor> inputs) {
  // Copies of the lists: a hook may add or remove hooks.
  for (const auto pre = pre_hooks_; const auto& [id, hook] : pre) {
    if (auto replaced = hook(*this, inputs)) inputs = std::move(*replaced);
  }
  Tensor out = call([&] { return inputs.size() == 1 ? forward(inputs[0]) : forward_many(inputs); });
  for (const auto post = forward_hooks_; const auto& [id, hook] : post) {
    if (auto replaced = hook(*this, inputs, out)) out = std::move(*replaced);
  }
  return out;
}

namespace {
std::atomic<unsigned> next_module_hook_id{1};
}  // namespace

unsigned Module::add_hook(ForwardPreHook pre, ForwardHook post) {
  const unsigned id = next_module_hook_id++;
  if (pre) pre_hooks_.emplace_back(id, std::move(pre));
  if (post) forward_hooks_.emplace_back(id, std::move(post));
  return id;
}

void Module::remove_hook(unsigned id) {
  std::erase_if(pre_hooks_, [&](const auto& entry) { return entry.first == id; });
  std::erase_if(forward_hooks_, [&](const auto& entry) { return entry.first == id; });
}
Tensor Module::operator()(const Tensor& first, const Tensor& second) {
  return (*this)(std::vector<Tensor>{first, second});
}
Tensor Module::operator()(const Tensor& first, const Tensor& second, const Tensor& third) {
  return (*this)(std::vector<Tensor>{first, second, third});
}

namespace {
// Set while the default forward passes one input on to forward_many: if
// that is the default too, the module overrides neither.
thread_local const Module* passing_to_many = nullptr;
}  // namespace
Tensor Module::forward(const Tensor& input) {
  struct Passing {
    const Module* saved = passing_to_many;
    explicit Passing(const Module* m) { passing_to_many = m; }
    ~Passing() { passing_to_many = saved; }
  } passing(this);
  return forward_many(std::vector<Tensor>{input});
}
Tensor Module::forward_many(const std::vector<Tensor>& inputs) {
  if (passing_to_many == this) {
    detail::fail<GraphError>("{}: the module overrides neither forward nor forward_many", name());
  }
  if (inputs.size() != 1) {
    detail::fail<GraphError>("{}: forward takes one input, not {}", name(), inputs.size());
  }
  return forward(inputs[0]);
}

void Module::check_new_name(const std::string& name, const char* op) const {
  if (name.empty() || name.find('.') != std::string::npos) {
    detail::fail<ValueError>("{}: '{}' is not a valid name (non-empty, without '.')", op, name);
  }
  auto taken = [&](const auto& list) {
    return std::any_of(list.begin(), list.end(),
                       [&](const auto& entry) { return entry.first == name; });
  };
  if (taken(parameters_) || taken(buffers_) || taken(children_)) {
    detail::fail<ValueError>(
        "{}: '{}' is already the name of a parameter, buffer or submodule of this module", op,
        name);
  }
}

void Module::adopt(const std::string& name, Module& child) {
  child.scope_name_ = name;
  child.scope_parent_ = ~0u;  // look the scope up again
  child.label_tensors(name + ".");
}

void Module::label_tensors(const std::string& prefix) {
  for (auto& [name, t] : named_parameters()) t.label(prefix + name);
  for (auto& [name, t] : named_buffers()) t.label(prefix + name);
}

Tensor Module::register_parameter(std::string name, Tensor value) {
  check_new_name(name, "register_parameter");
  if (!value.requires_grad()) value.requires_grad_();
  value.label(name);
  parameters_.emplace_back(std::move(name), value);
  return value;
}

Tensor Module::register_buffer(std::string name, Tensor value) {
  check_new_name(name, "register_buffer");
  value.label(name);
  buffers_.emplace_back(std::move(name), value);
  return value;
}

void Module::collect(const std::string& prefix, bool buffers, StateDict& out) const {
  for (const auto& [name, t] : buffers ? buffers_ : parameters_) out.emplace_back(prefix + name, t);
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", buffers, out);
}

StateDict Module::named_parameters() const {
  StateDict out;
  collect("", false, out);
  return out;
}

StateDict Module::named_buffers() const {
  StateDict out;
  collect("", true, out);
  return out;
}

StateDict Module::state_dict() const {
  // PyTorch's order: each module's parameters, then its buffers, then its
  // submodules', in registration order.
  StateDict out;
  const auto walk = [&](const auto& self, const Module& m, const std::string& prefix) -> void {
    for (const auto& [name, t] : m.parameters_) out.emplace_back(prefix + name, t.detach());
    for (const auto& [name, t] : m.buffers_) out.emplace_back(prefix + name, t.detach());
    for (const auto& [name, child] : m.children_) self(self, *child, prefix + name + ".");
  };
  walk(walk, *this, "");
  return out;
}

Module::LoadResult Module::load_state_dict(const StateDict& state, bool strict) {
  std::map<std::string, Tensor> given;
  LoadResult result;
  for (const auto& [name, t] : state) {
    if (!given.emplace(name, t).second) {
      detail::fail<ValueError>("load_state_dict: '{}' appears twice in the state", name);
    }
  }
  auto targets = named_parameters();
  for (auto& entry : named_buffers()) targets.push_back(entry);
  std::vector<std::pair<Tensor, Tensor>> writes;  // (target, values)
  std::set<std::string> known;
  for (const auto& [name, target] : targets) {
    known.insert(name);
    const auto it = given.find(name);
    if (it == given.end()) {
      result.missing_keys.push_back(name);
      continue;
    }
    const Tensor& values = it->second;
    if (!values.defined() || values.shape() != target.shape()) {
      detail::fail<ValueError>("load_state_dict: '{}' has shape {} in the state but {} in {}", name,
                               values.defined() ? values.shape() : Shape{}, target.shape(),
                               this->name());
    }
    const bool convertible = is_floating(values.dtype()) && is_floating(target.dtype());
    if (values.dtype() != target.dtype() && !convertible) {
      detail::fail<ValueError>("load_state_dict: '{}' is {} in the state but {} in the module",
                               name, values.dtype(), target.dtype());
    }
    writes.emplace_back(target, values.to(target.dtype()));
  }
  for (const auto& [name, t] : state)
    if (!known.count(name)) result.unexpected_keys.push_back(name);
  if (strict && (!result.missing_keys.empty() || !result.unexpected_keys.empty())) {
    detail::fail<ValueError>(
        "load_state_dict: {} missing ({}) and {} unexpected ({}); pass strict = false to load "
        "the rest",
        result.missing_keys.size(), fmt::join(result.missing_keys, ", "),
        result.unexpected_keys.size(), fmt::join(result.unexpected_keys, ", "));
  }
  for (auto& [target, values] : writes) target.assign(values);
  return result;
}

Module& Module::to(DType dtype) {
  if (!is_floating(dtype)) {
    detail::fail<DTypeError>("{}: to({}): modules convert to float32 or float64", name(), dtype);
  }
  auto all = named_parameters();
  for (auto& entry : named_buffers()) all.push_back(entry);
  for (auto& [name, t] : all) {
    if (is_floating(t.dtype()) && t.dtype() != dtype) t.set_data(t.detach().to(dtype));
  }
  return *this;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& [name, t] : named_parameters()) out.push_back(t);
  return out;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

void Module::zero_grad() {
  for (Tensor& p : parameters()) p.zero_grad();
}

std::int64_t Module::num_parameters() const {
  std::int64_t n = 0;
  for (const Tensor& p : parameters()) n += p.numel();
  return n;
}

std::string Module::summary(const Shape& input_shape, DType input_dtype) {
  std::vector<SummaryRow> rows;
  {
    NoGradGuard no_grad;
    summary_rows = &rows;
    summary_depth = 0;
    try {
      (*this)(zeros(input_shape, input_dtype));
    } catch (...) {
      summary_rows = nullptr;
      throw;
    }
    summary_rows = nullptr;
  }
  auto own_parameters = [](const Module* m) {
    std::int64_t n = m->num_parameters();
    for (const auto& [name, child] : m->children()) n -= child->num_parameters();
    return n;
  };
  std::string out = fmt::format("{:<56} {:<16} {:>8}\n", "layer", "output shape", "params");
  out += std::string(82, '-') + "\n";
  for (const SummaryRow& row : rows) {
    const std::string layer = std::string(2 * row.depth, ' ') + row.module->name();
    out += fmt::format("{:<56} {:<16} {:>8}\n", layer, fmt::format("{}", row.output),
                       own_parameters(row.module));
  }
  out += std::string(82, '-') + "\n";
  out += fmt::format("total parameters: {}\n", num_parameters());
  return out;
}

}  // namespace ag::nn

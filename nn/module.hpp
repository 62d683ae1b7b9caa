// SPDX-License-Identifier: MIT
// nn::Module: parameters, buffers and submodules with hierarchical names.
#pragma once

#include <concepts>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "autograd/tensor.hpp"

namespace ag::nn {

/// A building block of a model. Subclasses register their parameters
/// (tensors that require gradients), buffers (state that is saved but not
/// trained) and submodules in their constructor, and implement forward().
///
///     struct TwoLayer : ag::nn::Module {
///       std::shared_ptr<ag::nn::Linear> fc1, fc2;
///       TwoLayer() {
///         fc1 = register_module("fc1", std::make_shared<ag::nn::Linear>(4, 8));
///         fc2 = register_module("fc2", std::make_shared<ag::nn::Linear>(8, 2));
///       }
///       ag::Tensor forward(const ag::Tensor& x) override {
///         return (*fc2)(ag::relu((*fc1)(x)));
///       }
///       std::string name() const override { return "TwoLayer"; }
///     };
class Module {
 public:
  virtual ~Module() = default;

  /// The computation. Call the module with operator(), which also lets
  /// summary() see each submodule's output. A module of one input
  /// overrides forward(const Tensor&); one of several (EmbeddingBag's
  /// indices and offsets) overrides forward_many(const std::vector<Tensor>&),
  /// and is called as `bag(indices, offsets)`. Each default passes to the
  /// other; a module that overrides neither throws GraphError when called.
  ///@{
  virtual Tensor forward(const Tensor& input);
  virtual Tensor forward_many(const std::vector<Tensor>& inputs);
  ///@}
  /// Runs forward (or forward_many) inside this module's NameScope.
  ///@{
  Tensor operator()(const Tensor& input);
  Tensor operator()(const Tensor& first, const Tensor& second);
  Tensor operator()(const Tensor& first, const Tensor& second, const Tensor& third);
  Tensor operator()(const std::vector<Tensor>& inputs);
  ///@}

  /// A one-line description: "Linear(in_features=2, out_features=1, bias=false)".
  virtual std::string name() const = 0;

  /// Parameters of this module and all submodules, in registration order.
  std::vector<Tensor> parameters() const;
  /// The same with dotted names: "0.weight", "fc1.bias".
  std::vector<std::pair<std::string, Tensor>> named_parameters() const;
  /// Buffers (saved, not trained), with dotted names.
  std::vector<std::pair<std::string, Tensor>> named_buffers() const;
  /// Parameters and buffers by their dotted names, as PyTorch's
  /// state_dict ("0.weight", "fc1.bias", "norm.running_mean"): detached
  /// tensors sharing the module's data. Write to a file with save_tensors
  /// or save_safetensors.
  std::vector<std::pair<std::string, Tensor>> state_dict() const;
  /// What load_state_dict left out: names the module has and the state
  /// lacks (missing), and the reverse (unexpected).
  struct LoadResult {
    std::vector<std::string> missing_keys;     ///< the module's names the state lacks
    std::vector<std::string> unexpected_keys;  ///< the state's names the module lacks
  };
  /// Copies `state` into the parameters and buffers of the same names.
  /// strict: any missing or unexpected name is a ValueError listing them;
  /// otherwise they are returned. A shape mismatch is always a ValueError,
  /// a float dtype is converted (as PyTorch's copy_), int64 and bool must
  /// match. Everything is checked before anything is written: on an error
  /// the module is unchanged.
  LoadResult load_state_dict(const std::vector<std::pair<std::string, Tensor>>& state,
                             bool strict = true);
  /// Converts every floating parameter and buffer to `dtype` (float32 or
  /// float64) in place, so existing handles see it; make optimizers after.
  Module& to(DType dtype);

  /// Direct submodules with their names.
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const {
    return children_;
  }

  /// Training mode (the default) or evaluation mode, for this module and
  /// all submodules; changes what Dropout does.
  void train(bool on = true);
  /// train(false).
  void eval() { train(false); }
  /// Whether in training mode.
  bool is_training() const { return training_; }

  /// Clears the gradients of every parameter.
  void zero_grad();
  /// Number of parameter elements.
  std::int64_t num_parameters() const;

  /// A table of every submodule that runs on an input of `input_shape`
  /// (zeros, no gradient): name, output shape, parameter count, like
  /// torchinfo's summary. `input_dtype` is int64 for index inputs.
  std::string summary(const Shape& input_shape, DType input_dtype = DType::float32);

 protected:
  /// Registers a parameter (marked as requiring a gradient) under `name`.
  /// Names are unique across a module's parameters, buffers and submodules
  /// (ValueError otherwise), as in PyTorch.
  Tensor register_parameter(std::string name, Tensor value);
  /// Registers a buffer: state saved with the module but not trained
  /// (running statistics, feature weights), under the same naming rules.
  Tensor register_buffer(std::string name, Tensor value);
  /// Registers a submodule; its parameters and buffers are then labelled
  /// with their path ("fc1.weight"), and its ops recorded in a NameScope of
  /// that name, so diagrams and messages say where they come from.
  template <class M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> module) {
    check_new_name(name, "register_module");
    adopt(name, *module);
    children_.emplace_back(std::move(name), module);
    return module;
  }

 private:
  /// ValueError unless `name` is non-empty, has no '.', and names no
  /// parameter, buffer or submodule of this module yet: a checkpoint keyed
  /// by names could not hold two of the same.
  void check_new_name(const std::string& name, const char* op) const;
  /// Runs `run` inside this module's scope, reporting to summary().
  template <class F>
  Tensor call(F&& run);
  void collect(const std::string& prefix, bool buffers,
               std::vector<std::pair<std::string, Tensor>>& out) const;

  /// Names `child` as this module's `name`: its scope and its tensors' labels.
  void adopt(const std::string& name, Module& child);
  /// Labels every parameter and buffer with its path below this module.
  void label_tensors(const std::string& prefix);

  std::vector<std::pair<std::string, Tensor>> parameters_, buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  std::string scope_name_;            ///< its name in its parent (empty for a root)
  std::uint32_t scope_parent_ = ~0u;  ///< the scope its cached scope id is inside
  std::uint32_t scope_id_ = 0;
  bool training_ = true;
};

}  // namespace ag::nn

// SPDX-License-Identifier: MIT
// nn::Module: parameters, buffers and submodules with hierarchical names.
#pragma once

#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "autograd/nn/state_dict.hpp"
#include "autograd/scope.hpp"
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

  /// \name Forward hooks, as PyTorch's register_forward_pre_hook and
  /// register_forward_hook: run by operator(), around forward, in the order
  /// registered (outside the module's NameScope). A pre-hook sees the inputs
  /// and may return new ones; a hook sees the inputs and the output and may
  /// return a new output; one returning void or std::nullopt only looks.
  /// Each returns an id for remove_hook. A module without hooks pays one
  /// test of an empty list per call.
  ///@{
  using ForwardPreHook =
      std::function<std::optional<std::vector<Tensor>>(Module&, const std::vector<Tensor>&)>;
  using ForwardHook =
      std::function<std::optional<Tensor>(Module&, const std::vector<Tensor>&, const Tensor&)>;
  template <class Hook>
  requires std::invocable < Hook&, Module&, const std::vector<Tensor>
  & > unsigned register_forward_pre_hook(Hook hook) {
    using Result = std::invoke_result_t<Hook&, Module&, const std::vector<Tensor>&>;
    if constexpr (std::is_void_v<Result>) {
      return add_hook(
          ForwardPreHook([hook = std::move(hook)](Module& m, const std::vector<Tensor>& in) mutable
                         -> std::optional<std::vector<Tensor>> {
            hook(m, in);
            return std::nullopt;
          }),
          {});
    } else {
      return add_hook(ForwardPreHook(std::move(hook)), {});
    }
  }
  template <class Hook>
  requires std::invocable < Hook&, Module&, const std::vector<Tensor>
  &, const Tensor& > unsigned register_forward_hook(Hook hook) {
    using Result = std::invoke_result_t<Hook&, Module&, const std::vector<Tensor>&, const Tensor&>;
    if constexpr (std::is_void_v<Result>) {
      return add_hook({}, ForwardHook([hook = std::move(hook)](
                                          Module& m, const std::vector<Tensor>& in,
                                          const Tensor& out) mutable -> std::optional<Tensor> {
                        hook(m, in, out);
                        return std::nullopt;
                      }));
    } else {
      return add_hook({}, ForwardHook(std::move(hook)));
    }
  }
  /// Removes the forward hook `id`; unknown ids are ignored.
  void remove_hook(unsigned id);
  ///@}

  /// Enters this module's NameScope, as operator() does around forward:
  /// for a forward of another signature, see nn::call.
  NameScope scope();

  /// A one-line description: "Linear(in_features=2, out_features=1, bias=false)".
  virtual std::string name() const = 0;

  /// Parameters of this module and all submodules, in registration order.
  std::vector<Tensor> parameters() const;
  /// The same with dotted names: "0.weight", "fc1.bias".
  StateDict named_parameters() const;
  /// Buffers (saved, not trained), with dotted names.
  StateDict named_buffers() const;
  /// Parameters and buffers by their dotted names, as PyTorch's
  /// state_dict ("0.weight", "fc1.bias", "norm.running_mean"): detached
  /// tensors sharing the module's data. Write to a file with save_tensors
  /// or save_safetensors.
  StateDict state_dict() const;
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
  LoadResult load_state_dict(const StateDict& state, bool strict = true);
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
  /// operator() with forward hooks: pre-hooks, forward, hooks.
  Tensor call_hooked(std::vector<Tensor> inputs);
  unsigned add_hook(ForwardPreHook pre, ForwardHook post);
  void collect(const std::string& prefix, bool buffers, StateDict& out) const;

  /// Names `child` as this module's `name`: its scope and its tensors' labels.
  void adopt(const std::string& name, Module& child);
  /// Labels every parameter and buffer with its path below this module.
  void label_tensors(const std::string& prefix);

  StateDict parameters_, buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  std::vector<std::pair<unsigned, ForwardPreHook>> pre_hooks_;
  std::vector<std::pair<unsigned, ForwardHook>> forward_hooks_;
  std::string scope_name_;            ///< its name in its parent (empty for a root)
  std::uint32_t scope_parent_ = ~0u;  ///< the scope its cached scope id is inside
  std::uint32_t scope_id_ = 0;
  bool training_ = true;
};

/// Calls `module.forward(args...)` inside the module's NameScope, whatever
/// forward's signature: a model that takes (idx, targets) and returns
/// (logits, loss) writes that forward as a plain member (with `using
/// Module::forward;` beside it) and is called `nn::call(model, idx, targets)`,
/// or `model.forward(idx, targets)` as in LibTorch.
template <class M, class... Args>
decltype(auto) call(M& module, Args&&... args) {
  const NameScope scope = module.scope();
  return module.forward(std::forward<Args>(args)...);
}

}  // namespace ag::nn

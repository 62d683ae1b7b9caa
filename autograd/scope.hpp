// SPDX-License-Identifier: MIT
// Name scopes: the ops recorded while a NameScope lives are tagged with its
// path ("net.fc1"), which diagrams draw as clusters. nn::Module::operator()
// opens one per module call, named as the module is in its parent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ag {

/// Within its scope, tensor ops recorded on this thread carry the path of
/// the enclosing scopes joined by '.', e.g. "encoder.fc1". Nests; an empty
/// name opens no level. `description` is what a diagram's cluster shows
/// beside the name ("Linear(in_features=4, ...)"); the first one seen for a
/// path is kept.
namespace detail {
/// A scope of the table by its id (0: none).
struct ScopeId {
  std::uint32_t value = 0;
};
}  // namespace detail

/// Names the ops recorded while it lives ("fc1", "loss"): diagrams draw them
/// as a cluster and messages name it. Scopes nest ("encoder/fc1");
/// nn::Module::operator() opens one per module.
class NameScope {
 public:
  /// Enters the scope `name` (`description` is shown with it, e.g. the
  /// module's "Linear(4, 8)").
  explicit NameScope(std::string_view name, std::string_view description = {});
  /// Enters a scope already interned (detail::intern_scope): no lookup.
  explicit NameScope(detail::ScopeId id);
  ~NameScope();
  NameScope(const NameScope&) = delete;
  NameScope& operator=(const NameScope&) = delete;

 private:
  std::uint32_t previous_;
};

namespace detail {

/// The scope ops are recorded in on this thread: 0 for none, else an id of
/// the scope table.
extern constinit thread_local std::uint32_t current_scope;

/// A scope of the table: its full path, its description, its parent's id
/// (0 at the top) and its depth (1 at the top).
struct ScopeInfo {
  std::string path, description;
  std::uint32_t parent = 0;
  int depth = 0;
};
/// The entry for a non-zero id (the table only grows; thread-safe).
ScopeInfo scope_info(std::uint32_t id);
/// The id of scope `name` inside `parent`, made on first use.
ScopeId intern_scope(std::uint32_t parent, std::string_view name, std::string_view description);

}  // namespace detail
}  // namespace ag

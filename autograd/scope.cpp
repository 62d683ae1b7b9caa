// SPDX-License-Identifier: MIT
// The scope table: each (parent, name) pair interned once, so a node keeps
// its scope as a 4-byte id and an op pays one thread-local read for it.
#include "autograd/scope.hpp"

#include <map>
#include <mutex>
#include <utility>
#include <vector>

namespace ag {
namespace detail {

constinit thread_local std::uint32_t current_scope = 0;

namespace {

struct Table {
  std::mutex mutex;
  std::vector<ScopeInfo> entries{ScopeInfo{}};  // id 0: no scope
  std::map<std::pair<std::uint32_t, std::string>, std::uint32_t, std::less<>> ids;
};
Table& table() {
  static auto* t = new Table;  // outlives static objects that record ops
  return *t;
}

}  // namespace

ScopeId intern_scope(std::uint32_t parent, std::string_view name, std::string_view description) {
  Table& t = table();
  std::lock_guard lock(t.mutex);
  const auto key = std::pair{parent, std::string(name)};
  if (const auto it = t.ids.find(key); it != t.ids.end()) return {it->second};
  const ScopeInfo& up = t.entries[parent];
  ScopeInfo entry{parent ? up.path + "." + std::string(name) : std::string(name),
                  std::string(description), parent, up.depth + 1};
  const auto id = static_cast<std::uint32_t>(t.entries.size());
  t.entries.push_back(std::move(entry));
  t.ids.emplace(key, id);
  return {id};
}

ScopeInfo scope_info(std::uint32_t id) {
  Table& t = table();
  std::lock_guard lock(t.mutex);
  return id < t.entries.size() ? t.entries[id] : ScopeInfo{};
}

}  // namespace detail

NameScope::NameScope(std::string_view name, std::string_view description)
    : previous_(detail::current_scope) {
  if (!name.empty())
    detail::current_scope = detail::intern_scope(previous_, name, description).value;
}

NameScope::NameScope(detail::ScopeId id) : previous_(detail::current_scope) {
  if (id.value) detail::current_scope = id.value;
}

NameScope::~NameScope() { detail::current_scope = previous_; }

}  // namespace ag

// SPDX-License-Identifier: MIT
// The JSON reader safetensors headers are read with (internal to nn/io/, not
// installed): only what such a header holds, nesting at most 16 deep and
// arrays of at most 64 items.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ag::io::detail {

/// A parsed JSON value. true, false and null are `other`.
struct Json {
  enum class Kind { object, array, string, number, other } kind = Kind::other;
  std::vector<std::string> keys;  // object: keys[k] names items[k]
  std::vector<Json> items;        // array, or an object's values
  std::string text;               // string
  double number = 0;              // number
};

/// The value `text` holds, all of it (FileError "<where>: bad JSON at byte
/// N: <what>" otherwise).
Json parse_json(std::string_view text, const std::string& where);
/// An object's value for `key` (the first), or null.
const Json* member(const Json& object, std::string_view key);

}  // namespace ag::io::detail

// SPDX-License-Identifier: MIT
// A small JSON reader: objects, arrays, strings (escapes decoded to UTF-8),
// numbers, true, false and null; nesting bounded, so hostile input cannot
// exhaust the stack.
#include "autograd/nn/io/json.hpp"

#include <cstdlib>
#include <cstring>

#include "autograd/error.hpp"

namespace ag::io::detail {
namespace {

class JsonReader {
 public:
  JsonReader(std::string_view text, const std::string& where) : s_(text), where_(where) {}
  Json document() {
    Json v = value(0);
    skip_space();
    if (at_ != s_.size()) bad("text after the value");
    return v;
  }

 private:
  [[noreturn]] void bad(std::string_view what) const {
    ag::detail::fail<FileError>("{}: bad JSON at byte {}: {}", where_, at_, what);
  }
  void skip_space() {
    while (at_ < s_.size() &&
           (s_[at_] == ' ' || s_[at_] == '\n' || s_[at_] == '\r' || s_[at_] == '\t'))
      ++at_;
  }
  bool eat(char c) {
    skip_space();
    if (at_ < s_.size() && s_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  static constexpr std::size_t kMaxArrayItems = 64;
  Json value(int depth) {
    if (depth > 16) bad("nested too deep");
    skip_space();
    if (at_ >= s_.size()) bad("unexpected end");
    Json v;
    const char c = s_[at_];
    if (c == '{') {
      ++at_;
      v.kind = Json::Kind::object;
      if (eat('}')) return v;
      do {
        skip_space();
        v.keys.push_back(string());
        if (!eat(':')) bad("expected ':'");
        v.items.push_back(value(depth + 1));
      } while (eat(','));
      if (!eat('}')) bad("expected ',' or '}'");
    } else if (c == '[') {
      ++at_;
      v.kind = Json::Kind::array;
      if (eat(']')) return v;
      do {
        // A header's arrays are shapes (at most 8 dims) and data_offsets
        // (2): a long one is refused as it is read, before it costs memory
        // (a 2,000,000-dim shape took 200 MiB before "more than 8 dims").
        if (v.items.size() == kMaxArrayItems) bad("an array of more than 64 items");
        v.items.push_back(value(depth + 1));
      } while (eat(','));
      if (!eat(']')) bad("expected ',' or ']'");
    } else if (c == '"') {
      v.kind = Json::Kind::string;
      v.text = string();
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      v.kind = Json::Kind::number;
      const std::size_t start = at_;
      while (at_ < s_.size() && std::strchr("+-.eE0123456789", s_[at_]) && s_[at_] != '\0') ++at_;
      const std::string digits(s_.substr(start, at_ - start));
      char* end = nullptr;
      v.number = std::strtod(digits.c_str(), &end);
      if (end != digits.c_str() + digits.size()) bad("malformed number");
    } else {
      for (std::string_view word : {"true", "false", "null"}) {
        if (s_.substr(at_, word.size()) == word) {
          at_ += word.size();
          return v;
        }
      }
      bad("unexpected character");
    }
    return v;
  }
  std::string string() {
    if (at_ >= s_.size() || s_[at_] != '"') bad("expected a string");
    ++at_;
    std::string out;
    while (true) {
      if (at_ >= s_.size()) bad("unterminated string");
      const char c = s_[at_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) bad("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_ >= s_.size()) bad("unterminated escape");
      const char e = s_[at_++];
      const char* simple = std::strchr("\"\\/bfnrt", e);
      if (simple && e != '\0') {
        out += "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
      } else if (e == 'u') {
        if (at_ + 4 > s_.size()) bad("short \\u escape");
        unsigned code = 0;
        for (int k = 0; k < 4; ++k) {
          const char h = s_[at_++];
          const int d = h >= '0' && h <= '9'   ? h - '0'
                        : h >= 'a' && h <= 'f' ? h - 'a' + 10
                        : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                               : -1;
          if (d < 0) bad("bad \\u escape");
          code = code * 16 + static_cast<unsigned>(d);
        }
        // UTF-8 of the code unit (surrogates kept as they are: names only)
        if (code < 0x80) {
          out += static_cast<char>(code);
        } else if (code < 0x800) {
          out += static_cast<char>(0xC0 | (code >> 6));
          out += static_cast<char>(0x80 | (code & 0x3F));
        } else {
          out += static_cast<char>(0xE0 | (code >> 12));
          out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
          out += static_cast<char>(0x80 | (code & 0x3F));
        }
      } else {
        bad("unknown escape");
      }
    }
  }
  std::string_view s_;
  std::size_t at_ = 0;
  const std::string& where_;
};

}  // namespace

Json parse_json(std::string_view text, const std::string& where) {
  return JsonReader(text, where).document();
}

const Json* member(const Json& object, std::string_view key) {
  for (std::size_t k = 0; k < object.keys.size(); ++k)
    if (object.keys[k] == key) return &object.items[k];
  return nullptr;
}

}  // namespace ag::io::detail

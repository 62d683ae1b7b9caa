// SPDX-License-Identifier: MIT
// safetensors: a small JSON reader for the header (objects, arrays,
// strings, whole numbers; nesting bounded), the checks the format needs,
// and the writer.
#include "autograd/nn/safetensors.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <memory>

#include <fmt/ranges.h>

#include "autograd/error.hpp"
#include "autograd/nn/file_io.hpp"

namespace ag::nn {
namespace {

static_assert(std::endian::native == std::endian::little, "the format is little-endian");

constexpr std::uint64_t kMaxHeader = 100'000'000;  // as the reference implementation

// A parsed JSON value: only what a header holds.
struct Json {
  enum class Kind { object, array, string, number, other } kind = Kind::other;
  std::vector<std::string> keys;  // object: keys[k] names items[k]
  std::vector<Json> items;        // array, or an object's values
  std::string text;               // string
  double number = 0;              // number
};

class JsonReader {
 public:
  JsonReader(std::string_view text, const std::string& path) : s_(text), path_(path) {}
  Json document() {
    Json v = value(0);
    skip_space();
    if (at_ != s_.size()) bad("text after the header's object");
    return v;
  }

 private:
  [[noreturn]] void bad(std::string_view what) const {
    detail::fail<FileError>("safetensors '{}': bad JSON header at byte {}: {}", path_, at_, what);
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
      do v.items.push_back(value(depth + 1));
      while (eat(','));
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
  const std::string& path_;
};

// A header's dtype: its byte size and what it loads as.
struct StoredType {
  const char* name;
  std::size_t size;
  DType loads_as;
};
constexpr StoredType kTypes[] = {{"F32", 4, DType::float32}, {"F64", 8, DType::float64},
                                 {"I64", 8, DType::int64},   {"BOOL", 1, DType::boolean},
                                 {"F16", 2, DType::float32}, {"BF16", 2, DType::float32},
                                 {"I32", 4, DType::int64},   {"I16", 2, DType::int64},
                                 {"I8", 1, DType::int64},    {"U8", 1, DType::int64}};

float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = (h & 0x8000u) << 16, exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF;
  if (exponent == 0) {  // zero or subnormal: mantissa · 2^-24
    const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  const std::uint32_t bits = exponent == 31 ? sign | 0x7F800000u | (mantissa << 13)
                                            : sign | ((exponent + 112) << 23) | (mantissa << 13);
  return std::bit_cast<float>(bits);
}

// The tensor of `type` and `shape` from `count` elements at `data`.
Tensor decode(const StoredType& type, const Shape& shape, const char* data, std::int64_t count) {
  Tensor t = detail::empty_tensor(shape, type.loads_as, "load_safetensors");
  const std::string_view name = type.name;
  if (name == "F32" || name == "F64" || name == "I64") {
    std::memcpy(t.node()->storage.get(), data, static_cast<std::size_t>(count) * type.size);
  } else if (name == "BOOL") {
    bool* out = t.data<bool>();
    for (std::int64_t i = 0; i < count; ++i) out[i] = data[i] != 0;
  } else if (name == "F16" || name == "BF16") {
    float* out = t.data<float>();
    for (std::int64_t i = 0; i < count; ++i) {
      std::uint16_t h;
      std::memcpy(&h, data + 2 * i, 2);
      out[i] = name == "F16" ? half_to_float(h) : std::bit_cast<float>(std::uint32_t{h} << 16);
    }
  } else {
    std::int64_t* out = t.data<std::int64_t>();
    for (std::int64_t i = 0; i < count; ++i) {
      const char* p = data + static_cast<std::size_t>(i) * type.size;
      if (name == "I32")
        out[i] = [&] {
          std::int32_t v;
          std::memcpy(&v, p, 4);
          return v;
        }();
      if (name == "I16")
        out[i] = [&] {
          std::int16_t v;
          std::memcpy(&v, p, 2);
          return v;
        }();
      if (name == "I8") out[i] = static_cast<std::int8_t>(*p);
      if (name == "U8") out[i] = static_cast<std::uint8_t>(*p);
    }
  }
  return t;
}

// The header's JSON object, after the length has been checked.
Json header_of(const std::string& bytes, const std::string& path, std::size_t* data_start) {
  if (bytes.size() < 8) {
    detail::fail<FileError>("safetensors '{}': {} bytes, too short for the header length", path,
                            bytes.size());
  }
  std::uint64_t n;
  std::memcpy(&n, bytes.data(), 8);
  if (n > kMaxHeader || n > bytes.size() - 8) {
    detail::fail<FileError>("safetensors '{}': a header of {} bytes in a file of {}", path, n,
                            bytes.size());
  }
  *data_start = 8 + static_cast<std::size_t>(n);
  Json header = JsonReader(std::string_view(bytes).substr(8, n), path).document();
  if (header.kind != Json::Kind::object) {
    detail::fail<FileError>("safetensors '{}': the header is not a JSON object", path);
  }
  return header;
}

// A whole number in [0, limit] from a JSON value, or FileError.
std::uint64_t whole(const Json& v, std::uint64_t limit, const std::string& path,
                    const std::string& entry, const char* field) {
  if (v.kind != Json::Kind::number || !(v.number >= 0) || v.number > static_cast<double>(limit) ||
      v.number != std::floor(v.number)) {
    detail::fail<FileError>("safetensors '{}': '{}' has a bad {}", path, entry, field);
  }
  return static_cast<std::uint64_t>(v.number);
}

const Json* member(const Json& object, std::string_view key) {
  for (std::size_t k = 0; k < object.keys.size(); ++k)
    if (object.keys[k] == key) return &object.items[k];
  return nullptr;
}

}  // namespace

NamedTensors parse_safetensors(const std::string& bytes, const std::string& path) {
  std::size_t start = 0;
  const Json header = header_of(bytes, path, &start);
  const std::uint64_t data_size = bytes.size() - start;
  struct Range {
    std::uint64_t begin, end;
    std::string name;
  };
  std::vector<Range> ranges;
  NamedTensors out;
  for (std::size_t k = 0; k < header.keys.size(); ++k) {
    const std::string& name = header.keys[k];
    const Json& entry = header.items[k];
    if (name == "__metadata__") continue;
    const Json* dtype = member(entry, "dtype");
    const Json* shape = member(entry, "shape");
    const Json* offsets = member(entry, "data_offsets");
    if (entry.kind != Json::Kind::object || !dtype || dtype->kind != Json::Kind::string || !shape ||
        shape->kind != Json::Kind::array || !offsets || offsets->kind != Json::Kind::array ||
        offsets->items.size() != 2) {
      detail::fail<FileError>("safetensors '{}': '{}' needs dtype, shape and data_offsets", path,
                              name);
    }
    const StoredType* type = nullptr;
    for (const StoredType& t : kTypes)
      if (dtype->text == t.name) type = &t;
    if (!type) {
      detail::fail<FileError>("safetensors '{}': '{}' has dtype {}, which does not load here", path,
                              name, dtype->text);
    }
    Shape dims;
    if (shape->items.size() > Shape::kMaxRank) {
      detail::fail<FileError>("safetensors '{}': '{}' has {} dims, more than {}", path, name,
                              shape->items.size(), Shape::kMaxRank);
    }
    // The product of the nonzero sizes is capped (2^48) as for every tensor,
    // so a zero size cannot hide huge others.
    std::uint64_t count = 1, nonzero = 1;
    for (const Json& d : shape->items) {
      const std::uint64_t size = whole(d, std::uint64_t{1} << 48, path, name, "shape");
      if (size != 0 && nonzero > (std::uint64_t{1} << 48) / size) {
        detail::fail<FileError>("safetensors '{}': '{}' has too many elements", path, name);
      }
      if (size != 0) nonzero *= size;
      count *= size;
      dims.push_back(static_cast<std::int64_t>(size));
    }
    const std::uint64_t begin = whole(offsets->items[0], data_size, path, name, "data_offsets");
    const std::uint64_t end = whole(offsets->items[1], data_size, path, name, "data_offsets");
    if (begin > end || end - begin != count * type->size) {
      detail::fail<FileError>(
          "safetensors '{}': '{}' ({} {}) needs {} bytes but its data_offsets [{}, {}] span {}",
          path, name, dtype->text, dims, count * type->size, begin, end,
          end >= begin ? end - begin : 0);
    }
    ranges.push_back({begin, end, name});
    out.emplace_back(
        name, decode(*type, dims, bytes.data() + start + begin, static_cast<std::int64_t>(count)));
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const Range& a, const Range& b) { return a.begin < b.begin; });
  for (std::size_t k = 1; k < ranges.size(); ++k) {
    if (ranges[k].begin < ranges[k - 1].end) {
      detail::fail<FileError>("safetensors '{}': '{}' and '{}' overlap", path, ranges[k - 1].name,
                              ranges[k].name);
    }
  }
  return out;
}

std::map<std::string, std::string> safetensors_metadata(const std::string& bytes,
                                                        const std::string& path) {
  std::size_t start = 0;
  const Json header = header_of(bytes, path, &start);
  std::map<std::string, std::string> out;
  if (const Json* meta = member(header, "__metadata__")) {
    for (std::size_t k = 0; k < meta->keys.size(); ++k) {
      if (meta->items[k].kind != Json::Kind::string) {
        detail::fail<FileError>("safetensors '{}': metadata '{}' is not a string", path,
                                meta->keys[k]);
      }
      out[meta->keys[k]] = meta->items[k].text;
    }
  }
  return out;
}

NamedTensors load_safetensors(const std::string& path) {
  return parse_safetensors(io::read_regular_file(path, "safetensors"), path);
}

namespace {
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}
}  // namespace

void save_safetensors(const NamedTensors& tensors, const std::string& path,
                      const std::map<std::string, std::string>& metadata) {
  std::string header = "{", data;
  if (!metadata.empty()) {
    header += "\"__metadata__\":{";
    bool first = true;
    for (const auto& [key, value] : metadata) {
      header += (first ? "" : ",") + quoted(key) + ":" + quoted(value);
      first = false;
    }
    header += "}";
  }
  for (const auto& [name, t] : tensors) {
    if (name == "__metadata__" || !t.defined()) {
      detail::fail<ValueError>("save_safetensors: '{}' cannot be saved as a tensor", name);
    }
    const char* type = t.dtype() == DType::float32   ? "F32"
                       : t.dtype() == DType::float64 ? "F64"
                       : t.dtype() == DType::int64   ? "I64"
                                                     : "BOOL";
    const std::size_t bytes = static_cast<std::size_t>(t.numel()) * dtype_size(t.dtype());
    header += fmt::format("{}{}:{{\"dtype\":\"{}\",\"shape\":[{}],\"data_offsets\":[{},{}]}}",
                          header.size() > 1 ? "," : "", quoted(name), type,
                          fmt::join(t.shape(), ","), data.size(), data.size() + bytes);
    data.append(reinterpret_cast<const char*>(t.node()->storage.get()), bytes);
  }
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' ');  // the data starts 8-aligned
  std::string file(8, '\0');
  const std::uint64_t n = header.size();
  std::memcpy(file.data(), &n, 8);
  io::write_atomically(file + header + data, path, "safetensors");
}

}  // namespace ag::nn

// SPDX-License-Identifier: MIT
// safetensors: the header's checks (json.cpp reads its JSON), the decoding
// of every stored dtype, and the writer.
#include "autograd/nn/io/safetensors.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <memory>
#include <set>
#include <string_view>

#include <fmt/ranges.h>

#include "autograd/error.hpp"
#include "autograd/nn/io/file_io.hpp"
#include "autograd/nn/io/json.hpp"

namespace ag::io {
using detail::Json;
using detail::member;
using detail::parse_json;
namespace {

static_assert(std::endian::native == std::endian::little, "the format is little-endian");

constexpr std::uint64_t kMaxHeader = 100'000'000;  // as the reference implementation

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
  Tensor t = ag::detail::empty_tensor(shape, type.loads_as, "load_safetensors");
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
    ag::detail::fail<FileError>("safetensors '{}': {} bytes, too short for the header length", path,
                                bytes.size());
  }
  std::uint64_t n;
  std::memcpy(&n, bytes.data(), 8);
  if (n > kMaxHeader || n > bytes.size() - 8) {
    ag::detail::fail<FileError>("safetensors '{}': a header of {} bytes in a file of {}", path, n,
                                bytes.size());
  }
  *data_start = 8 + static_cast<std::size_t>(n);
  Json header = parse_json(std::string_view(bytes).substr(8, n),
                           fmt::format("safetensors '{}' header", path));
  if (header.kind != Json::Kind::object) {
    ag::detail::fail<FileError>("safetensors '{}': the header is not a JSON object", path);
  }
  return header;
}

// A whole number in [0, limit] from a JSON value, or FileError.
std::uint64_t whole(const Json& v, std::uint64_t limit, const std::string& path,
                    const std::string& entry, const char* field) {
  if (v.kind != Json::Kind::number || !(v.number >= 0) || v.number > static_cast<double>(limit) ||
      v.number != std::floor(v.number)) {
    ag::detail::fail<FileError>("safetensors '{}': '{}' has a bad {}", path, entry, field);
  }
  return static_cast<std::uint64_t>(v.number);
}

}  // namespace

StateDict parse_safetensors(const std::string& bytes, const std::string& path) {
  std::size_t start = 0;
  const Json header = header_of(bytes, path, &start);
  const std::uint64_t data_size = bytes.size() - start;
  struct Range {  // one entry, checked, in the header's order
    std::uint64_t begin, end;
    std::string name;
    const StoredType* type;
    Shape dims;
    std::uint64_t count;
  };
  std::vector<Range> ranges;
  StateDict out;
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
      ag::detail::fail<FileError>("safetensors '{}': '{}' needs dtype, shape and data_offsets",
                                  path, name);
    }
    const StoredType* type = nullptr;
    for (const StoredType& t : kTypes)
      if (dtype->text == t.name) type = &t;
    if (!type) {
      ag::detail::fail<FileError>("safetensors '{}': '{}' has dtype {}, which does not load here",
                                  path, name, dtype->text);
    }
    Shape dims;
    if (shape->items.size() > Shape::kMaxRank) {
      ag::detail::fail<FileError>("safetensors '{}': '{}' has {} dims, more than {}", path, name,
                                  shape->items.size(), Shape::kMaxRank);
    }
    // The product of the nonzero sizes is capped (2^48) as for every tensor,
    // so a zero size cannot hide huge others.
    std::uint64_t count = 1, nonzero = 1;
    for (const Json& d : shape->items) {
      const std::uint64_t size = whole(d, std::uint64_t{1} << 48, path, name, "shape");
      if (size != 0 && nonzero > (std::uint64_t{1} << 48) / size) {
        ag::detail::fail<FileError>("safetensors '{}': '{}' has too many elements", path, name);
      }
      if (size != 0) nonzero *= size;
      count *= size;
      dims.push_back(static_cast<std::int64_t>(size));
    }
    const std::uint64_t begin = whole(offsets->items[0], data_size, path, name, "data_offsets");
    const std::uint64_t end = whole(offsets->items[1], data_size, path, name, "data_offsets");
    if (begin > end || end - begin != count * type->size) {
      ag::detail::fail<FileError>(
          "safetensors '{}': '{}' ({} {}) needs {} bytes but its data_offsets [{}, {}] span {}",
          path, name, dtype->text, dims, count * type->size, begin, end,
          end >= begin ? end - begin : 0);
    }
    ranges.push_back({begin, end, name, type, dims, count});
  }
  // Every range is checked before anything is decoded: 200 entries on one
  // byte range allocated 200 times its bytes before the overlap was seen.
  std::vector<const Range*> by_start;
  for (const Range& r : ranges) by_start.push_back(&r);
  std::sort(by_start.begin(), by_start.end(),
            [](const Range* a, const Range* b) { return a->begin < b->begin; });
  for (std::size_t k = 1; k < by_start.size(); ++k) {
    if (by_start[k]->begin < by_start[k - 1]->end) {
      ag::detail::fail<FileError>("safetensors '{}': '{}' and '{}' overlap", path,
                                  by_start[k - 1]->name, by_start[k]->name);
    }
  }
  for (const Range& r : ranges) {
    out.emplace_back(r.name, decode(*r.type, r.dims, bytes.data() + start + r.begin,
                                    static_cast<std::int64_t>(r.count)));
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
        ag::detail::fail<FileError>("safetensors '{}': metadata '{}' is not a string", path,
                                    meta->keys[k]);
      }
      out[meta->keys[k]] = meta->items[k].text;
    }
  }
  return out;
}

StateDict load_safetensors(const std::string& path) {
  return parse_safetensors(read_regular_file(path, "safetensors"), path);
}

namespace {
// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or
// code points past U+10FFFF): the format's header is JSON, which is UTF-8.
bool is_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    const int extra = b < 0x80           ? 0
                      : (b >> 5) == 0x6  ? 1
                      : (b >> 4) == 0xE  ? 2
                      : (b >> 3) == 0x1E ? 3
                                         : -1;
    if (extra < 0 || i + static_cast<std::size_t>(extra) >= text.size() + (extra == 0))
      return false;
    std::uint32_t cp = extra == 0 ? b : b & (0x3F >> extra);
    for (int k = 1; k <= extra; ++k) {
      const auto c = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
      if ((c >> 6) != 0x2) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    static constexpr std::uint32_t kSmallest[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kSmallest[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += static_cast<std::size_t>(extra) + 1;
  }
  return true;
}

// A name or metadata text the format allows, or ValueError naming it.
void check_text(const std::string& text, const char* what) {
  if (!is_utf8(text)) {
    std::string shown;  // bytes past ASCII as \xNN, at most 60 of them
    for (const char c : text.substr(0, 60)) {
      const auto b = static_cast<unsigned char>(c);
      shown += b >= 0x20 && b < 0x7F ? std::string(1, c) : fmt::format("\\x{:02x}", b);
    }
    ag::detail::fail<ValueError>("save_safetensors: the {} '{}' is not UTF-8", what, shown);
  }
}

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

void save_safetensors(const StateDict& tensors, const std::string& path,
                      const std::map<std::string, std::string>& metadata) {
  // What the format forbids is refused before anything is written.
  std::set<std::string> names;
  for (const auto& [name, t] : tensors) {
    check_text(name, "name");
    if (!names.insert(name).second) {
      ag::detail::fail<ValueError>("save_safetensors: the name '{}' appears twice", name);
    }
  }
  for (const auto& [key, value] : metadata) {
    check_text(key, "metadata key");
    check_text(value, "metadata value");
  }
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
      ag::detail::fail<ValueError>("save_safetensors: '{}' cannot be saved as a tensor", name);
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
  write_atomically(file + header + data, path, "safetensors");
}

}  // namespace ag::io

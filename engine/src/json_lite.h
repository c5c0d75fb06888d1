// A small, strict JSON reader and string quoting, enough for safetensors headers.
//
// The reader accepts RFC 8259 JSON only (no comments, no trailing commas, no duplicate keys,
// no raw control characters in strings) and limits nesting depth, so hostile input gives a
// JsonError instead of a crash. Numbers are kept as written; callers convert what they expect.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cs::json {

class JsonError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Value {
  enum class Type { Null, Bool, Number, String, Array, Object };
  Type type = Type::Null;
  bool boolean = false;
  std::string text;                                    // String: decoded; Number: as written
  std::vector<Value> items;                            // Array
  std::vector<std::pair<std::string, Value>> members;  // Object, in document order

  const Value* find(std::string_view key) const;  // an Object's member, or nullptr
  // A Number written as a plain non-negative integer (no sign, fraction or exponent) that fits.
  std::optional<uint64_t> as_uint() const;
};

Value parse(std::string_view text);     // throws JsonError naming the byte offset
std::string quote(std::string_view s);  // a JSON string literal, quotes included

}  // namespace cs::json

// Strict recursive-descent JSON reader (RFC 8259) and string quoting.
#include "json_lite.h"

#include <charconv>
#include <unordered_set>

namespace cs::json {

namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  explicit Parser(std::string_view text) : m_text(text) {}

  Value document() {
    Value v = value(0);
    skip_space();
    if (m_pos != m_text.size()) error("unexpected data after the JSON value");
    return v;
  }

 private:
  [[noreturn]] void error(const std::string& what) const {
    throw JsonError("at byte " + std::to_string(m_pos) + ": " + what);
  }

  void skip_space() {
    while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t' ||
                                     m_text[m_pos] == '\n' || m_text[m_pos] == '\r'))
      ++m_pos;
  }

  char peek() const { return m_pos < m_text.size() ? m_text[m_pos] : '\0'; }

  void expect(char c) {
    if (m_pos >= m_text.size()) error(std::string("expected '") + c + "', got the end of the text");
    if (m_text[m_pos] != c) error(std::string("expected '") + c + "'");
    ++m_pos;
  }

  bool consume_word(std::string_view word) {
    if (m_text.substr(m_pos, word.size()) != word) return false;
    m_pos += word.size();
    return true;
  }

  Value value(int depth) {
    if (depth > kMaxDepth) error("nesting deeper than " + std::to_string(kMaxDepth));
    skip_space();
    Value v;
    const char c = peek();
    if (c == '{') {
      v.type = Value::Type::Object;
      object(v, depth);
    } else if (c == '[') {
      v.type = Value::Type::Array;
      array(v, depth);
    } else if (c == '"') {
      v.type = Value::Type::String;
      v.text = string();
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      v.type = Value::Type::Number;
      v.text = number();
    } else if (consume_word("true") || consume_word("false")) {
      v.type = Value::Type::Bool;
      v.boolean = c == 't';
    } else if (!consume_word("null")) {
      error(m_pos < m_text.size() ? "expected a value"
                                  : "expected a value, got the end of the text");
    }
    return v;
  }

  void object(Value& v, int depth) {
    expect('{');
    skip_space();
    if (peek() == '}') {
      ++m_pos;
      return;
    }
    std::unordered_set<std::string> keys;  // a hash set: a header may have 100,000 keys
    for (;;) {
      skip_space();
      if (peek() != '"') error("expected a string key");
      std::string key = string();
      if (!keys.insert(key).second) error("duplicate key " + quote(key));
      skip_space();
      expect(':');
      v.members.emplace_back(std::move(key), value(depth + 1));
      skip_space();
      if (peek() == ',') {
        ++m_pos;
        continue;
      }
      expect('}');
      return;
    }
  }

  void array(Value& v, int depth) {
    expect('[');
    skip_space();
    if (peek() == ']') {
      ++m_pos;
      return;
    }
    for (;;) {
      v.items.push_back(value(depth + 1));
      skip_space();
      if (peek() == ',') {
        ++m_pos;
        continue;
      }
      expect(']');
      return;
    }
  }

  std::string number() {
    const size_t start = m_pos;
    auto digits = [&] {
      const size_t from = m_pos;
      while (m_pos < m_text.size() && m_text[m_pos] >= '0' && m_text[m_pos] <= '9') ++m_pos;
      if (m_pos == from) error("expected a digit");
    };
    if (peek() == '-') ++m_pos;
    if (peek() == '0') {
      ++m_pos;
    } else {
      digits();
    }
    if (peek() == '.') {
      ++m_pos;
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      ++m_pos;
      if (peek() == '+' || peek() == '-') ++m_pos;
      digits();
    }
    return std::string(m_text.substr(start, m_pos - start));
  }

  unsigned hex4() {
    unsigned u = 0;
    for (int i = 0; i < 4; ++i, ++m_pos) {
      const char c = peek();
      u <<= 4;
      if (c >= '0' && c <= '9') {
        u |= static_cast<unsigned>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        u |= static_cast<unsigned>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        u |= static_cast<unsigned>(c - 'A' + 10);
      } else {
        error("expected 4 hex digits after \\u");
      }
    }
    return u;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xe0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }

  std::string string() {
    expect('"');
    std::string out;
    for (;;) {
      if (m_pos >= m_text.size()) error("unterminated string");
      const char c = m_text[m_pos++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) {
        --m_pos;
        error("control character in a string");
      }
      if (c != '\\') {
        out += c;
        continue;
      }
      const char e = peek();
      ++m_pos;
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xdc00 && cp <= 0xdfff) error("unpaired low surrogate in \\u escape");
          if (cp >= 0xd800 && cp <= 0xdbff) {
            if (!consume_word("\\u")) error("unpaired high surrogate in \\u escape");
            const unsigned low = hex4();
            if (low < 0xdc00 || low > 0xdfff) error("unpaired high surrogate in \\u escape");
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          }
          append_utf8(out, cp);
          break;
        }
        default:
          --m_pos;
          error("invalid escape in a string");
      }
    }
  }

  std::string_view m_text;
  size_t m_pos = 0;
};

}  // namespace

const Value* Value::find(std::string_view key) const {
  for (const auto& [k, v] : members)
    if (k == key) return &v;
  return nullptr;
}

std::optional<uint64_t> Value::as_uint() const {
  if (type != Type::Number || text.empty() || text[0] == '-') return std::nullopt;
  uint64_t u = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), u);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return u;
}

Value parse(std::string_view text) {
  return Parser(text).document();
}

std::string quote(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace cs::json

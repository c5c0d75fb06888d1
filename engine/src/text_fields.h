// The one splitter of the engine's little text grammars: architectures (layers joined by '-',
// options by ':'), learning-rate schedules (parts joined by '+') and sweep grids (';' and ',').
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cs {

// The fields between the separators: "a-b" gives "a", "b"; "" gives one empty field. A '+' or '-'
// right after a number's exponent mark ("1e-04", "2.5E+05") is part of the number, not a
// separator: float_text() writes a rate below 0.001 or an epoch count of 100,000 in that form,
// and the text must read back.
inline std::vector<std::string> split_fields(std::string_view text, char sep) {
  const auto is_digit = [](char c) { return (c >= '0' && c <= '9') || c == '.'; };
  std::vector<std::string> out(1);
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool exponent_sign = (c == '+' || c == '-') && i >= 2 &&
                               (text[i - 1] == 'e' || text[i - 1] == 'E') && is_digit(text[i - 2]);
    if (c == sep && !exponent_sign)
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

}  // namespace cs

// "0.001", "1e-07": the shortest text that reads back as the same float, as files and messages
// write hyperparameters.
#pragma once

#include <charconv>
#include <string>

namespace cs {

inline std::string float_text(float v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

}  // namespace cs

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

// The float as the double whose shortest text is the float's shortest text ("0.3", not
// "0.30000001192092896"), which reads back as the same float.
inline double short_double(float v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  double d = 0;
  std::from_chars(buf, end, d);
  return d;
}

}  // namespace cs

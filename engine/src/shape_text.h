// "[128, 256]": a tensor shape as the checkpoint code writes it in files and messages.
#pragma once

#include <string>
#include <vector>

namespace cs {

inline std::string shape_text(const std::vector<int>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

}  // namespace cs

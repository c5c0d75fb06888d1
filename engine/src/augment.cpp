#include "convscope/augment.h"

#include <algorithm>

namespace cs {

std::string augment_shift_problem(int max_shift, Shape3 input) {
  const std::string shift = "a random shift of " + std::to_string(max_shift) + " pixels";
  if (max_shift < 0) return shift + " is negative; 0 trains on the images as they are";
  if (max_shift > kMaxAugmentShift)
    return shift + " is more than the " + std::to_string(kMaxAugmentShift) + " allowed";
  const int side = std::min(input.h, input.w);
  if (max_shift > 0 && 2 * max_shift >= side)
    return shift + " is half the " + std::to_string(input.h) + "x" + std::to_string(input.w) +
           " image or more; at most " + std::to_string((side - 1) / 2) + " for it";
  return {};
}

std::string augment_shift_text(int max_shift) {
  return max_shift > 0 ? "\u00b1" + std::to_string(max_shift) + " px" : "none";
}

}  // namespace cs

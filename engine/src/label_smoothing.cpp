#include "convscope/label_smoothing.h"

#include "float_text.h"

namespace cs {

std::string label_smoothing_problem(float smoothing) {
  // not `smoothing >= 0 && smoothing < 1` negated: NaN fails both
  if (smoothing >= 0.f && smoothing < 1.f) return {};
  return "a label smoothing of " + float_text(smoothing) +
         " is outside [0, 1) (0: none; 0.1 is usual)";
}

std::string label_smoothing_text(float smoothing) {
  return smoothing > 0.f ? float_text(smoothing) : "none";
}

}  // namespace cs

#include "timing_spread.h"

#include <algorithm>
#include <cstdio>

namespace cs::cli {

TimingSpread::TimingSpread(std::vector<double> values)
    : m_values(std::move(values)), m_sorted(m_values) {
  std::sort(m_sorted.begin(), m_sorted.end());
}

double TimingSpread::median() const {
  const size_t n = m_sorted.size();
  return n % 2 ? m_sorted[n / 2] : (m_sorted[n / 2 - 1] + m_sorted[n / 2]) / 2;
}

std::string TimingSpread::variation(const std::string& what, const std::string& unit) const {
  char text[160];
  std::snprintf(text, sizeof text, "%s %.2f..%.2f %s vary more than 2x", what.c_str(), min(), max(),
                unit.c_str());
  return text;
}

}  // namespace cs::cli

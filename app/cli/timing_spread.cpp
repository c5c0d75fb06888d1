#include "timing_spread.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

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

std::string TimingSpread::json(const std::string& name) const {
  std::ostringstream out;
  out << "\"" << name << "\":" << median() << ",\"" << name << "_min\":" << min() << ",\"" << name
      << "_max\":" << max() << ",\"" << name << "_all\":[";
  for (size_t i = 0; i < m_values.size(); ++i) out << (i ? "," : "") << m_values[i];
  out << "]";
  return out.str();
}

}  // namespace cs::cli

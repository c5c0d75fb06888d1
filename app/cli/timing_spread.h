// Timings of the same work repeated (timed epochs, evaluations): min, median and max, and
// whether they agree well enough for a ratio to mean something (the slowest within 2x of the
// fastest).
#pragma once

#include <string>
#include <vector>

namespace cs::cli {

class TimingSpread {
 public:
  TimingSpread() = default;
  explicit TimingSpread(std::vector<double> values);  // in the order measured

  bool empty() const { return m_values.empty(); }
  double min() const { return m_sorted.front(); }
  double max() const { return m_sorted.back(); }
  double median() const;
  bool reliable() const { return max() <= 2 * min(); }

  // "epochs 9.81..23.10 s vary more than 2x" (what = "epochs", unit = "s").
  std::string variation(const std::string& what, const std::string& unit) const;
  const std::vector<double>& values() const { return m_values; }  // in the order measured

 private:
  std::vector<double> m_values, m_sorted;
};

}  // namespace cs::cli

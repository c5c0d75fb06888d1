// Two configurations side by side: the difference of their networks' mean final accuracy with a
// bootstrap 95% confidence interval (cs::bootstrap_mean_difference: 10,000 resamples of the
// networks, seeded), and in words whether one is better beyond seed noise.
#pragma once

#include <QWidget>

#include "convscope/sweep_stats.h"
#include "sweep/sweep_data.h"

class QComboBox;
class QLabel;

class ComparisonPanel : public QWidget {
  Q_OBJECT

 public:
  static constexpr int kResamples = 10000;
  static constexpr uint64_t kSeed = 1;
  // Below this many networks in either configuration the text warns that the interval is
  // optimistic.
  static constexpr int kFewNetworks = 10;

  explicit ComparisonPanel(QWidget* parent = nullptr);

  // Picks the two configurations with the highest mean accuracy (or the first two).
  void setSweep(SweepDataPtr sweep);
  // Configuration indices; the same one twice is allowed (the interval then says so).
  void compare(int a, int b);
  int first() const;
  int second() const;
  QString text() const;

  QComboBox* firstBox() const { return m_a; }
  QComboBox* secondBox() const { return m_b; }
  QLabel* resultLabel() const { return m_result; }

  // The comparison in words: the difference in points of mean accuracy, the interval, and the
  // verdict ("… is better than … beyond seed noise" or "within seed noise"), with a warning
  // when either has fewer than kFewNetworks networks.
  static QString describe(const SweepConfigResult& a, const SweepConfigResult& b,
                          const cs::MeanDifference& d);
  // describe() after the bootstrap, or why there is nothing to compare.
  static QString compareText(const SweepConfigResult& a, const SweepConfigResult& b);

 private:
  void update();

  SweepDataPtr m_sweep;
  QComboBox* m_a;
  QComboBox* m_b;
  QLabel* m_result;
};

// A row of bars, one per epoch, each as tall as the share of the networks that had the selected
// image right at that epoch (green up to the right share, pale red above), with the counts in the
// tool tip. Plain painting; empty when there is no per-epoch history.
#pragma once

#include <QWidget>
#include <vector>

class EpochLearningStrip : public QWidget {
  Q_OBJECT

 public:
  explicit EpochLearningStrip(QWidget* parent = nullptr);

  // counts[e]: networks right at epoch e + 1, of `nets`. Empty counts clear the strip.
  void setCounts(std::vector<int> counts, int nets);
  const std::vector<int>& counts() const { return m_counts; }
  int nets() const { return m_nets; }

  QSize sizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  std::vector<int> m_counts;
  int m_nets = 0;
};

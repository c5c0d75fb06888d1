// The probe's class probabilities as one bar per class; the true class is green, the predicted
// class (when wrong) red.
#pragma once

#include <QWidget>
#include <vector>

class ProbabilityBars : public QWidget {
  Q_OBJECT

 public:
  explicit ProbabilityBars(QWidget* parent = nullptr);

  void setProbabilities(std::vector<float> probs, int trueLabel);
  QSize sizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  std::vector<float> m_probs;
  int m_label = -1;
};

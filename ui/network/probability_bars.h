// The probe's class probabilities as one bar per class; the true class is green, the predicted
// class (when wrong) red. Each bar is labelled with its class's name (elided to the bar; the
// tooltip names it in full with its probability). It asks for slots as wide as a digit and
// grows to the room it is given.
#pragma once

#include <QWidget>
#include <vector>

#include "predictions/class_names.h"

class ProbabilityBars : public QWidget {
  Q_OBJECT

 public:
  explicit ProbabilityBars(QWidget* parent = nullptr);

  void setProbabilities(std::vector<float> probs, int trueLabel);
  void setClassNames(ClassNames names);
  const ClassNames& classNames() const { return m_names; }
  QSize sizeHint() const override;

 protected:
  bool event(QEvent* event) override;
  void paintEvent(QPaintEvent* event) override;

 private:
  std::vector<float> m_probs;
  int barCount() const;  // bars drawn: at least ten

  int m_label = -1;
  ClassNames m_names;
};

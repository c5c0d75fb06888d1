// A spin box for scale-free quantities such as learning rates: arrow keys and the wheel move by
// ratios (1, 2, 5, 10, ...), and values show in compact form (0.001, 2e-05). With a minimum of 0
// (its special value text, e.g. "none"), stepping up from 0 starts at singleStep() and stepping
// down below it returns to 0. Numbers are written and read in the widget's locale, with every
// digit they have (what is shown is what is read back).
#pragma once

#include <QDoubleSpinBox>

class LogSpinBox : public QDoubleSpinBox {
  Q_OBJECT

 public:
  explicit LogSpinBox(QWidget* parent = nullptr);

  void stepBy(int steps) override;
  QString textFromValue(double value) const override;
  double valueFromText(const QString& text) const override;
  QValidator::State validate(QString& text, int& pos) const override;

 private:
  QLocale numberLocale() const;
};

#include "settings/log_spin_box.h"

#include <algorithm>
#include <cmath>

namespace {

// The 1-2-5 ladder: index i is (1, 2, 5)[i mod 3] * 10^(floor(i / 3)).
double ladderValue(int i) {
  static constexpr double kMantissa[] = {1, 2, 5};
  const int decade = i >= 0 ? i / 3 : -((-i + 2) / 3);
  return kMantissa[i - 3 * decade] * std::pow(10.0, decade);
}

int ladderIndexBelow(double v) {
  int i = static_cast<int>(std::floor(std::log10(v))) * 3;
  while (ladderValue(i + 1) <= v * (1 + 1e-9)) ++i;
  return i;
}

}  // namespace

LogSpinBox::LogSpinBox(QWidget* parent) : QDoubleSpinBox(parent) {
  setDecimals(8);
  setRange(1e-6, 10.0);
  setKeyboardTracking(false);
}

void LogSpinBox::stepBy(int steps) {
  const double v = value();
  if (v <= 0) {  // a minimum of 0: the ladder starts at singleStep()
    if (steps > 0) setValue(ladderValue(ladderIndexBelow(singleStep()) + steps - 1));
    return;
  }
  int i = ladderIndexBelow(v);
  // Stepping down from between two rungs lands on the lower one.
  if (steps < 0 && std::abs(ladderValue(i) - v) > 1e-9 * v) ++steps;
  const double next = ladderValue(i + steps);
  setValue(minimum() <= 0 && next < singleStep() * (1 - 1e-9) ? 0 : next);
}

// Written and read in the widget's locale (0,001 in German), without group separators: read with
// them, a German "0.001" would be 1.
QLocale LogSpinBox::numberLocale() const {
  QLocale l = locale();
  l.setNumberOptions(QLocale::OmitGroupSeparator | QLocale::RejectGroupSeparator);
  return l;
}

// Every significant digit the value has (0.00031622, not 0.0003162), and at least 4 (0.0001, not
// 1e-04): Enter reads the text back, and a rounded text would change the rate.
QString LogSpinBox::textFromValue(double value) const {
  const QString shortest = QString::number(value, 'e', QLocale::FloatingPointShortest);
  const auto mantissa = shortest.cbegin() + shortest.indexOf(QLatin1Char('e'));
  const auto digits =
      std::count_if(shortest.cbegin(), mantissa, [](QChar c) { return c.isDigit(); });
  return numberLocale().toString(value, 'g', std::max(4, static_cast<int>(digits)));
}

double LogSpinBox::valueFromText(const QString& text) const {
  return numberLocale().toDouble(text.trimmed());
}

QValidator::State LogSpinBox::validate(QString& text, int&) const {
  const QLocale l = numberLocale();
  const QString t = text.trimmed();
  if (t.isEmpty() || t.endsWith(l.exponential(), Qt::CaseInsensitive) ||
      t.endsWith(l.negativeSign()) || t.endsWith(l.decimalPoint()))
    return QValidator::Intermediate;
  bool ok = false;
  const double v = l.toDouble(t, &ok);
  if (!ok) return QValidator::Invalid;
  return v >= minimum() && v <= maximum() ? QValidator::Acceptable : QValidator::Intermediate;
}

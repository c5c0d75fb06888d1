#include "charts/class_accuracy_lines.h"

#include <QChart>
#include <QLineSeries>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "charts/chart_parts.h"
#include "convscope/learning_history.h"
#include "widgets/palette.h"

ClassAccuracyLines::ClassAccuracyLines(QChart* chart, QValueAxis* x, QValueAxis* y, QObject* parent)
    : QObject(parent), m_chart(chart), m_x(x), m_y(y) {}

void ClassAccuracyLines::setHistory(HistoryPtr history, int classes, ClassNames names) {
  m_history = std::move(history);
  m_classes = m_history ? std::max(classes, 0) : 0;
  m_shares.clear();  // read from the history once the lines are drawn: none while hidden
  m_names = std::move(names);
}

void ClassAccuracyLines::setShown(bool shown) {
  m_shown = shown;
}

void ClassAccuracyLines::update(std::vector<double>* fit, double* epochMax) {
  const int classes = m_shown ? m_classes : 0;
  while (static_cast<int>(m_lines.size()) < classes) {
    const int c = static_cast<int>(m_lines.size());
    QLineSeries* line = chart_parts::lineSeries({}, palette::category(c), 1.5);
    chart_parts::attach(m_chart, line, m_x, m_y);
    m_lines.push_back(line);
  }
  static const std::vector<cs::EvalPoint> kNoPasses;
  const std::vector<cs::EvalPoint>& passes = classes > 0 ? m_history->points() : kNoPasses;
  if (classes > 0 && m_shares.empty()) m_shares = m_history->class_accuracy(classes);
  for (int c = 0; c < static_cast<int>(m_lines.size()); ++c) {
    QList<QPointF> points;
    for (size_t p = 0; c < classes && p < passes.size(); ++p) {
      const double share = m_shares[p * classes + c];
      if (std::isnan(share)) continue;  // no image of the class
      points.append({passes[p].epoch_position, 100 * share});
      fit->push_back(100 * share);
      *epochMax = std::max(*epochMax, std::ceil(passes[p].epoch_position));
    }
    QLineSeries* line = m_lines[static_cast<size_t>(c)];
    line->setName(m_names.shortName(c));
    chart_parts::replaceIfChanged(line, points);
    line->setVisible(!points.isEmpty());
    line->setPointsVisible(points.size() <= kMarkedPasses);  // one pass is a point, not a line
  }
}

QList<QPointF> ClassAccuracyLines::points(int c) const {
  if (!m_shown || c < 0 || c >= static_cast<int>(m_lines.size())) return {};
  return m_lines[static_cast<size_t>(c)]->points();
}

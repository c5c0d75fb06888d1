#include "sweep/sweep_config_model.h"

#include <QBrush>
#include <QColor>
#include <QLocale>
#include <limits>

#include "widgets/count_text.h"

namespace {

// A parameter a configuration leaves to the sweep's settings.
QString shownValue(const QString& value) {
  return value.isEmpty() ? QStringLiteral("(default)") : value;
}

}  // namespace

SweepConfigModel::SweepConfigModel(QObject* parent) : QAbstractTableModel(parent) {}

void SweepConfigModel::setSweep(SweepDataPtr sweep) {
  beginResetModel();
  m_sweep = std::move(sweep);
  m_params.clear();
  if (m_sweep) {
    m_params = m_sweep->swept();
    if (m_params.isEmpty()) m_params = m_sweep->parameters();
  }
  endResetModel();
}

void SweepConfigModel::setTraining(qint64 sweep, int config, double fraction) {
  if (sweep == m_trainingSweep && config == m_trainingConfig && fraction == m_trainingFraction)
    return;
  m_trainingSweep = config < 0 ? -1 : sweep;
  m_trainingConfig = config;
  m_trainingFraction = fraction;
  // The status column, and every cell's tool tip, which says it too.
  if (const int rows = rowCount(); rows > 0)
    Q_EMIT dataChanged(index(0, 0), index(rows - 1, columnCount() - 1));
}

bool SweepConfigModel::training(const SweepConfigResult& c) const {
  return !c.finished && m_sweep && m_sweep->id() == m_trainingSweep && c.index >= m_trainingConfig;
}

bool SweepConfigModel::trainedElsewhere(const SweepConfigResult& c) const {
  return !c.finished && m_sweep && m_sweep->beingTrained() && m_sweep->id() != m_trainingSweep;
}

QString SweepConfigModel::statusText(const SweepConfigResult& c) const {
  if (trainedElsewhere(c)) return tr("pending in the process training the sweep");
  if (!training(c)) return c.statusText();
  if (c.index > m_trainingConfig) return tr("waiting");
  return tr("training, %1%").arg(static_cast<int>(100 * m_trainingFraction));
}

const SweepConfigResult* SweepConfigModel::configAt(int row) const {
  if (!m_sweep || row < 0 || row >= rowCount()) return nullptr;
  return &m_sweep->configs()[row];
}

int SweepConfigModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || !m_sweep ? 0 : static_cast<int>(m_sweep->configs().size());
}

int SweepConfigModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : 1 + static_cast<int>(m_params.size()) + StatCount;
}

QString SweepConfigModel::percent(double accuracy) {
  return accuracy < 0 ? QStringLiteral("–") : percentText(accuracy, 2);
}

QVariant SweepConfigModel::display(const SweepConfigResult& c, int column) const {
  if (column == 0) return QStringLiteral("#%1").arg(c.index);
  if (column <= m_params.size()) return shownValue(c.param(m_params[column - 1]));
  const bool none = c.result.distribution.n == 0;
  switch (column - statColumn(NetsStat)) {
    case NetsStat:
      return c.result.distribution.n;
    case MedianStat:
      return none ? percent(-1) : percent(c.result.distribution.median);
    case MeanStat:
      return none ? percent(-1) : percent(c.result.distribution.mean);
    case StdStat:
      return none || c.result.distribution.n < 2  // no spread is seen in one network
                 ? percent(-1)
                 : QLocale().toString(100 * c.result.distribution.std, 'f', 2);
    case VoteStat:
      return percent(c.result.voteAccuracy);
    case StatusStat:
      return statusText(c);
  }
  return {};
}

QVariant SweepConfigModel::sortKey(const SweepConfigResult& c, int column) const {
  if (column == 0) return c.index;
  if (column <= m_params.size()) {
    const QString v = c.param(m_params[column - 1]);
    bool number = false;
    const double x = v.toDouble(&number);
    return number ? QVariant(x) : QVariant(v);
  }
  // Configurations without networks sort below every accuracy.
  const double none = -std::numeric_limits<double>::infinity();
  const bool empty = c.result.distribution.n == 0;
  switch (column - statColumn(NetsStat)) {
    case NetsStat:
      return c.result.distribution.n;
    case MedianStat:
      return empty ? none : c.result.distribution.median;
    case MeanStat:
      return empty ? none : c.result.distribution.mean;
    case StdStat:  // shown "–" for one network too
      return c.result.distribution.n < 2 ? none : c.result.distribution.std;
    case VoteStat:
      return c.result.voteAccuracy < 0 ? none : c.result.voteAccuracy;
    case StatusStat:
      return statusText(c);
  }
  return {};
}

QVariant SweepConfigModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  const SweepConfigResult& c = m_sweep->configs()[index.row()];
  const int column = index.column();
  switch (role) {
    case Qt::DisplayRole:
      return display(c, column);
    case SortRole:
      return sortKey(c, column);
    case ConfigRole:
      return c.index;
    case Qt::ToolTipRole:
      return tr("%1\nrun %2 · %3")
                 .arg(c.key.isEmpty() ? tr("(the sweep's settings)") : c.key)
                 .arg(c.run < 0 ? tr("not begun") : QString::number(c.run))
                 .arg(statusText(c)) +
             (c.result.warning.isEmpty() ? QString() : QLatin1Char('\n') + c.result.warning);
    case Qt::TextAlignmentRole:
      return column > m_params.size() && column != statColumn(StatusStat)
                 ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                 : QVariant();
    case Qt::ForegroundRole:
      // Red for a configuration left unfinished (not for one training or waiting, here or in
      // another process) or not learning.
      return column == statColumn(StatusStat) &&
                     ((!c.finished && !training(c) && !trainedElsewhere(c)) ||
                      !c.result.warning.isEmpty())
                 ? QBrush(QColor(0xb2, 0x18, 0x2b))
                 : QVariant();
  }
  return {};
}

QVariant SweepConfigModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= columnCount()) return {};
  if (role == Qt::ToolTipRole) {
    if (section == statColumn(VoteStat))
      return tr(
          "Accuracy of the ensemble's vote: the class with the highest probability "
          "averaged over the networks (their top 3)");
    if (section == statColumn(StdStat))
      return tr("Sample standard deviation of the networks' accuracy, in points");
    return {};
  }
  if (role != Qt::DisplayRole) return {};
  if (section == 0) return tr("#");
  if (section <= m_params.size()) return m_params[section - 1];
  switch (section - statColumn(NetsStat)) {
    case NetsStat:
      return tr("Nets");
    case MedianStat:
      return tr("Median");
    case MeanStat:
      return tr("Mean");
    case StdStat:
      return tr("Std");
    case VoteStat:
      return tr("Vote");
    case StatusStat:
      return tr("Status");
  }
  return {};
}

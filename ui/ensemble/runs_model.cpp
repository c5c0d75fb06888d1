#include "ensemble/runs_model.h"

#include <QColor>

#include "widgets/count_text.h"
#include "widgets/store_time.h"

RunsModel::RunsModel(QObject* parent) : QAbstractTableModel(parent) {}

void RunsModel::setRuns(std::vector<cs::RunSummary> runs) {
  beginResetModel();
  m_runs = std::move(runs);
  for (auto note = m_notes.begin(); note != m_notes.end();) {
    const int row = rowOf(note->first);
    // The store caught up (or the run is gone): the note is done.
    note = row < 0 || !apply(note->second, m_runs[row]) ? m_notes.erase(note) : std::next(note);
  }
  endResetModel();
}

bool RunsModel::apply(const Note& note, cs::RunSummary& r) {
  bool changed = false;
  if (note.epochsDone > r.epochs_done) {
    r.epochs_done = note.epochsDone;
    r.mean_accuracy = note.meanAccuracy;
    changed = true;
  }
  if (note.status != cs::RunStatus::Running && r.status == cs::RunStatus::Running) {
    r.status = note.status;
    changed = true;
  }
  return changed;
}

void RunsModel::applyNote(qint64 run) {
  const int row = rowOf(run);
  if (row < 0 || !apply(m_notes[run], m_runs[row])) return;
  Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void RunsModel::noteEpoch(qint64 run, int epochsDone, double meanAccuracy) {
  Note& note = m_notes[run];
  if (epochsDone <= note.epochsDone) return;
  note.epochsDone = epochsDone;
  note.meanAccuracy = meanAccuracy;
  applyNote(run);
}

void RunsModel::noteEnded(qint64 run, cs::RunStatus status) {
  m_notes[run].status = status;
  applyNote(run);
}

int RunsModel::rowOf(qint64 run) const {
  for (size_t i = 0; i < m_runs.size(); ++i)
    if (m_runs[i].id == run) return static_cast<int>(i);
  return -1;
}

int RunsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_runs.size());
}

int RunsModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunsModel::display(const cs::RunSummary& r, int column) const {
  switch (column) {
    case IdColumn:
      return QVariant::fromValue(r.id);
    case CreatedColumn:
      return store_time::brief(QString::fromStdString(r.created));
    case NetsColumn:
      return r.nets;
    case EpochsColumn:
      return QStringLiteral("%1/%2").arg(r.epochs_done).arg(r.epochs);
    case AccuracyColumn:
      return r.epochs_done > 0 ? percentText(r.mean_accuracy, 2) : QStringLiteral("–");
    case StatusColumn:
      return QString::fromStdString(cs::to_string(r.status));
    case ArchitectureColumn:
      return QString::fromStdString(r.spec);
    default:
      return {};
  }
}

QVariant RunsModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  const cs::RunSummary& r = m_runs[index.row()];
  switch (role) {
    case Qt::DisplayRole:
      return display(r, index.column());
    case RunIdRole:
      return QVariant::fromValue(r.id);
    case Qt::TextAlignmentRole:
      return int(index.column() == ArchitectureColumn || index.column() == CreatedColumn ||
                         index.column() == StatusColumn
                     ? Qt::AlignLeft | Qt::AlignVCenter
                     : Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ForegroundRole:
      if (index.column() != StatusColumn) return {};
      switch (r.status) {
        case cs::RunStatus::Running:
          return QColor(0x1f, 0x5f, 0xa8);
        case cs::RunStatus::Finished:
          return QColor(0x2e, 0x7d, 0x43);
        case cs::RunStatus::Cancelled:
          return QColor(0x7a, 0x84, 0x8f);
        case cs::RunStatus::Interrupted:
          return QColor(0xb0, 0x60, 0x10);
      }
      return {};
    case Qt::ToolTipRole:
      return tr("Run %1 · %2\n%3 × %4\n%5\ntrained on %6 with %7 · %8 s of training")
          .arg(r.id)
          .arg(store_time::full(QString::fromStdString(r.created)))
          .arg(r.nets)
          .arg(QString::fromStdString(r.spec), QString::fromStdString(r.optimizer),
               QString::fromStdString(r.train_name), QString::fromStdString(r.backend))
          .arg(numberText(r.train_seconds, 1));
    default:
      return {};
  }
}

QVariant RunsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount) return {};
  static const char* const kTitles[ColumnCount] = {QT_TR_NOOP("Run"),         QT_TR_NOOP("Created"),
                                                   QT_TR_NOOP("Nets"),        QT_TR_NOOP("Epochs"),
                                                   QT_TR_NOOP("Mean acc."),   QT_TR_NOOP("Status"),
                                                   QT_TR_NOOP("Architecture")};
  if (role == Qt::DisplayRole) return tr(kTitles[section]);
  if (role == Qt::ToolTipRole && section == AccuracyColumn)
    return tr("Mean validation accuracy of the networks at the latest epoch");
  return {};
}

#include "sweep/sweep_list_model.h"

#include "convscope/store.h"
#include "convscope/sweep.h"
#include "widgets/count_text.h"
#include "widgets/store_time.h"

SweepListModel::SweepListModel(QObject* parent) : QAbstractTableModel(parent) {}

std::vector<SweepListEntry> SweepListModel::read(cs::Store& store) {
  std::vector<SweepListEntry> out;
  for (int64_t id : store.list_sweeps()) {
    const cs::SweepRecord record = store.load_sweep(id);
    const cs::SweepPlan plan = cs::SweepPlan::from_definition(record.definition);
    SweepListEntry e;
    e.id = record.id;
    e.created = QString::fromStdString(record.created);
    e.configs = static_cast<int>(record.configs.size());
    e.finished = record.finished();
    e.nets = plan.settings.nets;
    e.epochs = plan.settings.epochs;
    e.training = record.trained_elsewhere;
    e.resumable = record.resumable();
    for (const cs::SweepConfigState& c : record.configs) e.runs += c.run >= 0;
    out.push_back(e);
  }
  return out;
}

void SweepListModel::setSweeps(std::vector<SweepListEntry> sweeps) {
  beginResetModel();
  m_sweeps = std::move(sweeps);
  endResetModel();
}

qint64 SweepListModel::sweepAt(int row) const {
  return row >= 0 && row < rowCount() ? m_sweeps[row].id : -1;
}

int SweepListModel::rowOf(qint64 sweep) const {
  for (int row = 0; row < rowCount(); ++row)
    if (m_sweeps[row].id == sweep) return row;
  return -1;
}

int SweepListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_sweeps.size());
}

int SweepListModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant SweepListModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  const SweepListEntry& e = m_sweeps[index.row()];
  if (role == SweepIdRole) return e.id;
  if (role == Qt::TextAlignmentRole)
    return index.column() == CreatedColumn ? QVariant()
                                           : QVariant(Qt::AlignRight | Qt::AlignVCenter);
  if (role == Qt::ToolTipRole)
    return tr("Sweep %1, created %2: %3 of %4 finished, %5 each, %6%7")
        .arg(e.id)
        .arg(store_time::full(e.created))
        .arg(e.finished)
        .arg(countText(e.configs, tr("configuration"), tr("configurations")),
             countText(e.nets, tr("network"), tr("networks")),
             countText(e.epochs, tr("epoch"), tr("epochs")),
             e.training ? tr("; being trained now") : QString());
  if (role != Qt::DisplayRole) return {};
  switch (index.column()) {
    case IdColumn:
      return e.id;
    case CreatedColumn:
      return store_time::brief(e.created);
    case FinishedColumn:
      return QStringLiteral("%1/%2").arg(e.finished).arg(e.configs);
    case NetsColumn:
      return e.nets;
    case EpochsColumn:
      return e.epochs;
  }
  return {};
}

QVariant SweepListModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case IdColumn:
      return tr("Sweep");
    case CreatedColumn:
      return tr("Created");
    case FinishedColumn:
      return tr("Finished");
    case NetsColumn:
      return tr("Nets");
    case EpochsColumn:
      return tr("Epochs");
  }
  return {};
}

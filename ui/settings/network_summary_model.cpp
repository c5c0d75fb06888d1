#include "settings/network_summary_model.h"

#include <QFont>
#include <QLocale>

#include "settings/settings_validator.h"

NetworkSummaryModel::NetworkSummaryModel(QObject* parent) : QAbstractTableModel(parent) {}

void NetworkSummaryModel::setSummary(const cs::NetworkSummary& summary) {
  beginResetModel();
  m_summary = summary;
  endResetModel();
}

int NetworkSummaryModel::rowCount(const QModelIndex& parent) const {
  // the input, the layers, the total
  return parent.isValid() || m_summary.layers.empty()
             ? 0
             : static_cast<int>(m_summary.layers.size()) + 2;
}

int NetworkSummaryModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant NetworkSummaryModel::display(int row, int column) const {
  if (row == 0) {
    if (column == Layer) return tr("input");
    if (column == Output) return SettingsValidator::shapeText(m_summary.input);
    return {};
  }
  const bool total = row == rowCount() - 1;
  const cs::LayerSummary* l = total ? nullptr : &m_summary.layers[static_cast<size_t>(row - 1)];
  const QLocale locale;
  switch (column) {
    case Layer:
      return total ? tr("total") : QString::fromStdString(l->name);
    case Kind:
      return total ? QVariant() : QString::fromStdString(l->description);
    case Output:
      return total ? QVariant() : SettingsValidator::shapeText(l->out);
    case Parameters:
      return locale.toString(total ? m_summary.params : l->params);
    case MultiplyAdds:
      return locale.toString(total ? m_summary.macs : l->macs);
    case TrainMultiplyAdds:
      return locale.toString(total ? m_summary.train_macs : l->train_macs);
    default:
      return {};
  }
}

QVariant NetworkSummaryModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  switch (role) {
    case Qt::DisplayRole:
      return display(index.row(), index.column());
    case Qt::TextAlignmentRole:
      return index.column() >= Parameters ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                          : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::FontRole:
      if (index.row() == rowCount() - 1) {
        QFont bold;
        bold.setBold(true);
        return bold;
      }
      return {};
    default:
      return {};
  }
}

QVariant NetworkSummaryModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount) return {};
  if (role == Qt::ToolTipRole) {
    switch (section) {
      case MultiplyAdds:
        return tr(
            "Multiply-adds of the forward pass for one image (convolutions and dense "
            "layers; pools and activations not counted)");
      case TrainMultiplyAdds:
        return tr(
            "Multiply-adds of a training step for one image: the forward pass, the "
            "weight gradient and, where a layer below learns, the input gradient");
      default:
        return {};
    }
  }
  if (role != Qt::DisplayRole) return {};
  static const char* const names[] = {QT_TR_NOOP("Layer"),         QT_TR_NOOP("Kind"),
                                      QT_TR_NOOP("Output"),        QT_TR_NOOP("Parameters"),
                                      QT_TR_NOOP("Multiply-adds"), QT_TR_NOOP("To train")};
  return tr(names[section]);
}

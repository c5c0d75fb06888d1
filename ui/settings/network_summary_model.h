// A network's summary as a table (cs::summarize()): the input, then one row per layer with its
// kind, output shape, parameters, multiply-adds of the forward pass and of training (forward and
// backward) for one image, and a total row. Read-only.
#pragma once

#include <QAbstractTableModel>

#include "convscope/network_summary.h"

class NetworkSummaryModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { Layer, Kind, Output, Parameters, MultiplyAdds, TrainMultiplyAdds, ColumnCount };

  explicit NetworkSummaryModel(QObject* parent = nullptr);

  void setSummary(const cs::NetworkSummary& summary);
  const cs::NetworkSummary& summary() const { return m_summary; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

 private:
  QVariant display(int row, int column) const;

  cs::NetworkSummary m_summary;
};

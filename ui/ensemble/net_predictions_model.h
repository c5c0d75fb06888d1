// What every network of the ensemble predicts for one validation image: one row per network
// with its validation accuracy, its top-3 labels with their probabilities and the probability it
// gives the true label. Rows whose top-1 label is wrong are tinted.
#pragma once

#include <QAbstractTableModel>

#include "ensemble/ensemble_run.h"

class NetPredictionsModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column {
    NetColumn,
    AccuracyColumn,
    Top1Column,
    Top2Column,
    Top3Column,
    TrueProbColumn,
    ColumnCount
  };
  enum Role {
    SortRole = Qt::UserRole + 1,
    LabelRole,        // top-k columns: the label
    ProbabilityRole,  // top-k columns: its probability
    TrueLabelRole,    // the image's true label
    ShortNameRole,    // top-k columns: the label's short class name
  };

  explicit NetPredictionsModel(QObject* parent = nullptr);

  // Shows image `image` of `run` (one reset); a null run or a negative image clears.
  void setImage(EnsembleRunPtr run, int image);
  int image() const { return m_image; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

 private:
  QVariant value(int net, int column) const;  // the raw number behind a cell

  EnsembleRunPtr m_run;
  int m_image = -1;
};

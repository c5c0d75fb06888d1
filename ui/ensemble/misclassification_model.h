// The misclassification table: one row per validation image of an ensemble run, in dataset
// order, with what the N networks made of it. SortRole gives every column's raw number (the
// filter model's lessThan reads the run directly for speed); CSV rows are written from here (the
// `forgotten` column left empty for a run older than its epochs' history).
#pragma once

#include <QAbstractTableModel>
#include <QStringList>

#include "ensemble/ensemble_run.h"

class MisclassificationModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column {
    ImageColumn,  // the thumbnail (decoration)
    IndexColumn,
    TrueLabelColumn,
    WrongColumn,         // nets whose top-1 label is wrong
    CommonWrongColumn,   // the most common wrong label
    CommonCountColumn,   // how many nets chose it
    MeanTrueProbColumn,  // mean probability of the true label
    VoteColumn,          // the ensemble vote
    DisagreementColumn,  // entropy of the top-1 votes, in bits
    ForgottenColumn,     // forgetting events summed over the nets (-1: the run has no history)
    ColumnCount
  };
  enum Role { SortRole = Qt::UserRole + 1, ImageIndexRole };

  explicit MisclassificationModel(QObject* parent = nullptr);

  void setRun(EnsembleRunPtr run);  // one reset; null clears
  const EnsembleRunPtr& run() const { return m_run; }

  // The raw value of `column` for image `row` (what SortRole returns).
  double sortValue(int row, int column) const;

  static QStringList csvHeader();
  QStringList csvRow(int row) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

 private:
  QVariant display(int row, int column) const;
  QString toolTip(int row) const;
  QString name(int label) const;  // the class's name in the run's dataset

  EnsembleRunPtr m_run;
};

// The ensemble's vote on a drawn digit as a table, one row per class: its name, the networks
// voting for it (the bar's length in VotePanel's delegate is Qt::UserRole: the share of votes)
// and the mean probability the networks give it. The majority's row is bold.
#pragma once

#include <QAbstractTableModel>

#include "canvas/ensemble_vote.h"
#include "predictions/class_names.h"

class VoteModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { ClassColumn, VotesColumn, MeanColumn, ColumnCount };
  static constexpr int ShareRole = Qt::UserRole;  // votes / nets, or mean probability, 0..1

  explicit VoteModel(QObject* parent = nullptr);

  void setVote(const EnsembleVote& vote);
  void setClassNames(const ClassNames& names);
  const EnsembleVote& vote() const { return m_vote; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

 private:
  EnsembleVote m_vote;
  ClassNames m_names;
};

#include "canvas/vote_model.h"
#include "widgets/count_text.h"

#include <QFont>

VoteModel::VoteModel(QObject* parent) : QAbstractTableModel(parent) {}

void VoteModel::setVote(const EnsembleVote& vote) {
  beginResetModel();
  m_vote = vote;
  endResetModel();
}

void VoteModel::setClassNames(const ClassNames& names) {
  beginResetModel();
  m_names = names;
  endResetModel();
}

int VoteModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : m_vote.classes();
}

int VoteModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant VoteModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  const int c = index.row();
  const int votes = m_vote.votes(c);
  const double share = double(votes) / m_vote.nets();
  switch (role) {
    case Qt::DisplayRole:
      switch (index.column()) {
        case ClassColumn:
          return m_names.name(c);
        case VotesColumn:
          return votes;
        case MeanColumn:
          return percentText(m_vote.meanProbability(c), 1);
      }
      break;
    case ShareRole:
      return index.column() == MeanColumn ? m_vote.meanProbability(c) : share;
    case Qt::TextAlignmentRole:
      return index.column() == ClassColumn ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                           : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::FontRole:
      if (c == m_vote.majority()) {
        QFont bold;
        bold.setBold(true);
        return bold;
      }
      break;
    case Qt::ToolTipRole:
      return tr("%1 %2; mean probability %3")
          .arg(countText(votes, tr("network votes"), tr("networks vote")), m_names.name(c),
               percentText(m_vote.meanProbability(c), 1));
  }
  return {};
}

QVariant VoteModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case ClassColumn:
      return tr("Class");
    case VotesColumn:
      return tr("Votes");
    case MeanColumn:
      return tr("Mean p");
  }
  return {};
}

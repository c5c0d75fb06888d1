#include "history/history_strip_model.h"
#include "widgets/count_text.h"

HistoryStripModel::HistoryStripModel(QObject* parent) : QAbstractListModel(parent) {}

void HistoryStripModel::setClassNames(const ClassNames& names) {
  beginResetModel();
  m_names = names;
  endResetModel();
}

void HistoryStripModel::setHistory(HistoryPtr history) {
  beginResetModel();
  m_history = std::move(history);
  endResetModel();
}

void HistoryStripModel::setImage(int image) {
  beginResetModel();
  m_image = image;
  endResetModel();
}

bool HistoryStripModel::shows() const {
  return m_history && m_image >= 0 && m_image < m_history->images();
}

int HistoryStripModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || !shows() ? 0 : m_history->passes();
}

QVariant HistoryStripModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  const int pass = index.row();
  const cs::EvalPoint& point = m_history->points()[pass];
  const int top1 = m_history->top1(m_image, pass);
  const bool right = m_history->correct(m_image, pass);
  const bool answered = top1 != cs::kNoLabel;
  switch (role) {
    case Qt::DisplayRole:  // the cell is narrow: "Snkr", the tool tip has "Sneaker"
      return answered ? m_names.shortName(top1) : QStringLiteral("–");
    case Qt::ToolTipRole:
      return tr("Evaluation %1 · step %2 · epoch %3\n%4")
          .arg(pass + 1)
          .arg(point.step)
          .arg(numberText(point.epoch_position, 2))
          .arg(answered ? tr("predicted %1 (%2)")
                              .arg(m_names.name(top1), right ? tr("right") : tr("wrong"))
                        : tr("no answer: its probabilities were not numbers (wrong)"));
    case CorrectRole:
      return right;
    case PredictedRole:
      return top1;
    case StepRole:
      return point.step;
    case EpochRole:
      return point.epoch_position;
    default:
      return {};
  }
}

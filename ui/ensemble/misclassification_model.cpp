#include "ensemble/misclassification_model.h"

#include <QColor>

#include "ensemble/validation_images.h"
#include "widgets/count_text.h"
#include "widgets/palette.h"

MisclassificationModel::MisclassificationModel(QObject* parent) : QAbstractTableModel(parent) {}

void MisclassificationModel::setRun(EnsembleRunPtr run) {
  beginResetModel();
  m_run = std::move(run);
  endResetModel();
}

int MisclassificationModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || !m_run ? 0 : m_run->count();
}

int MisclassificationModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

double MisclassificationModel::sortValue(int row, int column) const {
  const cs::ImageStats& s = m_run->image(row);
  switch (column) {
    case TrueLabelColumn:
      return s.label;
    case WrongColumn:
      return s.wrong;
    case CommonWrongColumn:
      return s.common_wrong_label;  // kNoLabel (255) when none is wrong
    case CommonCountColumn:
      return s.common_wrong;
    case MeanTrueProbColumn:
      return s.mean_true_prob;
    case VoteColumn:
      return s.vote;
    case DisagreementColumn:
      return s.disagreement;
    case ForgottenColumn:
      return m_run->forgotten(row);
    default:
      return row;  // the image and its index
  }
}

QVariant MisclassificationModel::display(int row, int column) const {
  const cs::ImageStats& s = m_run->image(row);
  const bool anyWrong = s.common_wrong > 0;  // a wrong label, not only nets without an answer
  switch (column) {
    case IndexColumn:
      return row;
    case TrueLabelColumn:
      return name(s.label);
    case WrongColumn:
      return QStringLiteral("%1 / %2").arg(s.wrong).arg(m_run->nets());
    case CommonWrongColumn:
      return anyWrong ? name(s.common_wrong_label) : QStringLiteral("–");
    case CommonCountColumn:
      return anyWrong ? QVariant(s.common_wrong) : QStringLiteral("–");
    case MeanTrueProbColumn:
      return numberText(s.mean_true_prob, 3);
    case VoteColumn:
      return name(s.vote);
    case DisagreementColumn:
      return numberText(s.disagreement, 2);
    case ForgottenColumn:
      return m_run->hasHistory() ? QVariant(m_run->forgotten(row)) : QStringLiteral("–");
    default:
      return {};
  }
}

QString MisclassificationModel::name(int label) const {
  return label == cs::kNoLabel ? QStringLiteral("–") : m_run->classNames().name(label);
}

QString MisclassificationModel::toolTip(int row) const {
  const cs::ImageStats& s = m_run->image(row);
  QString text = tr("Image %1, a %2: %3 of %4 get it wrong")
                     .arg(row)
                     .arg(name(s.label))
                     .arg(s.wrong)
                     .arg(countText(m_run->nets(), tr("network"), tr("networks")));
  if (s.common_wrong > 0)
    text += tr("\nmost often as %1 (%2)")
                .arg(name(s.common_wrong_label),
                     countText(s.common_wrong, tr("network"), tr("networks")));
  text += tr("\nmean probability of the true label %1; ensemble vote %2")
              .arg(numberText(s.mean_true_prob, 3),
                   s.vote == cs::kNoLabel ? tr("none (no network's probabilities are numbers)")
                                          : name(s.vote));
  if (!m_run->hasHistory())
    return text + tr("\nno forgetting events: the run was recorded before the store kept "
                     "every epoch's predictions");
  return text + tr("\n%1 across the networks over %2")
                    .arg(forgottenText(m_run->forgotten(row)),
                         countText(m_run->historyEpochs(), tr("epoch"), tr("epochs")));
}

QVariant MisclassificationModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  const int row = index.row(), column = index.column();
  switch (role) {
    case Qt::DisplayRole:
      return display(row, column);
    case SortRole:
      return sortValue(row, column);
    case ImageIndexRole:
      return row;
    case Qt::DecorationRole:
      if (column == ImageColumn && m_run->images())
        return ValidationImages::image(*m_run->images(), row);
      return {};
    case Qt::TextAlignmentRole:
      return int(column == IndexColumn || column == MeanTrueProbColumn ||
                         column == DisagreementColumn || column == WrongColumn ||
                         column == ForgottenColumn
                     ? Qt::AlignRight | Qt::AlignVCenter
                     : Qt::AlignCenter);
    case Qt::ForegroundRole: {
      const cs::ImageStats& s = m_run->image(row);
      if (column == VoteColumn && s.vote != s.label) return palette::kWrong;
      if (column == WrongColumn && 2 * s.wrong > m_run->nets()) return palette::kWrong;
      return {};
    }
    case Qt::ToolTipRole:
      return toolTip(row);
    default:
      return {};
  }
}

QVariant MisclassificationModel::headerData(int section, Qt::Orientation orientation,
                                            int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount) return {};
  static const char* const kTitles[ColumnCount] = {
      QT_TR_NOOP("Image"),   QT_TR_NOOP("#"),        QT_TR_NOOP("True"),    QT_TR_NOOP("Wrong"),
      QT_TR_NOOP("As"),      QT_TR_NOOP("Times"),    QT_TR_NOOP("p(true)"), QT_TR_NOOP("Vote"),
      QT_TR_NOOP("Entropy"), QT_TR_NOOP("Forgotten")};
  static const char* const kTips[ColumnCount] = {
      QT_TR_NOOP("The validation image"),
      QT_TR_NOOP("Index in the validation set"),
      QT_TR_NOOP("The true label"),
      QT_TR_NOOP("Networks whose top-1 prediction is wrong, of all networks"),
      QT_TR_NOOP("The most common wrong prediction"),
      QT_TR_NOOP("How many networks made that wrong prediction"),
      QT_TR_NOOP("Mean probability the networks give the true label"),
      QT_TR_NOOP("The ensemble vote: the class with the highest mean probability"),
      QT_TR_NOOP("Disagreement: the entropy of the networks' top-1 votes in bits (0: unanimous)"),
      QT_TR_NOOP("Forgetting events across the networks: how often a network that had the image "
                 "right at one epoch got it wrong at the next, summed over the networks (– for "
                 "a run recorded before the store kept every epoch)")};
  if (role == Qt::DisplayRole) return tr(kTitles[section]);
  if (role == Qt::ToolTipRole) return tr(kTips[section]);
  return {};
}

QStringList MisclassificationModel::csvHeader() {
  return {QStringLiteral("index"),
          QStringLiteral("true_label"),
          QStringLiteral("wrong"),
          QStringLiteral("nets"),
          QStringLiteral("common_wrong_label"),
          QStringLiteral("common_wrong_count"),
          QStringLiteral("mean_true_prob"),
          QStringLiteral("vote"),
          QStringLiteral("disagreement_bits"),
          QStringLiteral("forgotten")};
}

QStringList MisclassificationModel::csvRow(int row) const {
  const cs::ImageStats& s = m_run->image(row);
  const auto label = [](int l) {  // empty where there is none
    return l == cs::kNoLabel ? QString() : QString::number(l);
  };
  return {QString::number(row),
          QString::number(s.label),
          QString::number(s.wrong),
          QString::number(m_run->nets()),
          label(s.common_wrong_label),
          QString::number(s.common_wrong),
          QString::number(s.mean_true_prob, 'g', 6),
          label(s.vote),
          QString::number(s.disagreement, 'g', 6),
          m_run->hasHistory() ? QString::number(m_run->forgotten(row)) : QString()};
}

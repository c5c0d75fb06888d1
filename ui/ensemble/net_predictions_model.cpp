#include "ensemble/net_predictions_model.h"

#include <QColor>
#include <limits>

#include "widgets/count_text.h"
#include "widgets/palette.h"

NetPredictionsModel::NetPredictionsModel(QObject* parent) : QAbstractTableModel(parent) {}

void NetPredictionsModel::setImage(EnsembleRunPtr run, int image) {
  beginResetModel();
  const bool valid = run && image >= 0 && image < run->count();
  m_run = valid ? std::move(run) : nullptr;
  m_image = valid ? image : -1;
  endResetModel();
}

int NetPredictionsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || !m_run ? 0 : m_run->nets();
}

int NetPredictionsModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant NetPredictionsModel::value(int net, int column) const {
  switch (column) {
    case NetColumn:
      return net;
    case AccuracyColumn:
      return m_run->stats().net_accuracy[net];
    case Top1Column:
    case Top2Column:
    case Top3Column:
      return m_run->topProbability(net, m_image, column - Top1Column);
    case TrueProbColumn:
      return m_run->trueProbability(net, m_image);
    default:
      return {};
  }
}

QVariant NetPredictionsModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
    return {};
  const int net = index.row(), column = index.column();
  const int rank = column - Top1Column;
  const bool topColumn = rank >= 0 && rank < 3;
  const int label = m_run->image(m_image).label;
  if (!m_run->answered(net, m_image) && (topColumn || column == TrueProbColumn)) {
    switch (role) {  // no answer: no labels, no numbers
      case Qt::DisplayRole:
        return QStringLiteral("–");
      case Qt::ToolTipRole:
        return tr("No answer: the network's probabilities are not numbers");
      case SortRole:  // after every label and number
        return column == Top1Column ? QVariant(int(cs::kNoLabel))
                                    : QVariant(std::numeric_limits<float>::infinity());
      case LabelRole:
      case ShortNameRole:
      case ProbabilityRole:
        return {};
      default:  // the alignment, the row's tint
        break;
    }
  }
  switch (role) {
    case Qt::ToolTipRole:  // the whole name and number, where the delegate has no room for them
      return topColumn ? data(index, Qt::DisplayRole) : QVariant();
    case Qt::DisplayRole:
      if (topColumn)
        return QStringLiteral("%1: %2")
            .arg(m_run->classNames().name(m_run->topLabel(net, m_image, rank)))
            .arg(numberText(m_run->topProbability(net, m_image, rank), 3));
      if (column == AccuracyColumn) return percentText(value(net, column).toDouble(), 1);
      if (column == TrueProbColumn) return numberText(value(net, column).toDouble(), 3);
      return net;
    case SortRole:
      // The top-1 column sorts by label so that the networks voting alike group together.
      return column == Top1Column ? QVariant(m_run->topLabel(net, m_image, 0)) : value(net, column);
    case LabelRole:
      return topColumn ? QVariant(m_run->topLabel(net, m_image, rank)) : QVariant();
    case ShortNameRole:
      return topColumn
                 ? QVariant(m_run->classNames().shortName(m_run->topLabel(net, m_image, rank)))
                 : QVariant();
    case ProbabilityRole:
      return topColumn ? value(net, column) : QVariant();
    case TrueLabelRole:
      return label;
    case Qt::TextAlignmentRole:
      return int(column == NetColumn ? Qt::AlignCenter : Qt::AlignRight | Qt::AlignVCenter);
    case Qt::BackgroundRole:
      if (!m_run->answered(net, m_image) || m_run->topLabel(net, m_image, 0) != label)
        return palette::kWrongTint;  // the row of a network without an answer too
      return {};
    default:
      return {};
  }
}

QVariant NetPredictionsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount) return {};
  static const char* const kTitles[ColumnCount] = {QT_TR_NOOP("Net"), QT_TR_NOOP("Acc."),
                                                   QT_TR_NOOP("1st"), QT_TR_NOOP("2nd"),
                                                   QT_TR_NOOP("3rd"), QT_TR_NOOP("p(true)")};
  static const char* const kTips[ColumnCount] = {
      QT_TR_NOOP("Network index (its seed is the run's seed plus this)"),
      QT_TR_NOOP("Accuracy: the network's on the validation set"),
      QT_TR_NOOP("Top-1 prediction and its probability (sorts by label)"),
      QT_TR_NOOP("Second choice"),
      QT_TR_NOOP("Third choice"),
      QT_TR_NOOP("Probability given to the true label")};
  if (role == Qt::DisplayRole) return tr(kTitles[section]);
  if (role == Qt::ToolTipRole) return tr(kTips[section]);
  return {};
}

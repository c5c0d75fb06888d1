// All validation images with the network's latest predictions (net 0 of the last evaluation):
// one row per image, in dataset order. A new evaluation updates every row in place (dataChanged,
// so the grid keeps its scroll position); a new dataset resets the model. With the evaluation
// comes the run's learning history (every validation pass so far), from which each image's
// forgetting events, first pass learned and stable-since pass are read.
#pragma once

#include <QAbstractListModel>
#include <QTextStream>

#include "predictions/class_names.h"
#include "training/training_types.h"

class PredictionModel : public QAbstractListModel {
  Q_OBJECT

 public:
  enum Role {
    ImageRole = Qt::UserRole + 1,  // QImage thumbnail
    TrueLabelRole,
    HasPredictionRole,
    PredictedLabelRole,
    ConfidenceRole,       // probability of the top-1 class
    TrueProbabilityRole,  // probability given to the true class
    LossRole,             // -log(true probability)
    CorrectRole,
    TopLabelsRole,         // QVariantList of 3 ints, best first
    TopProbabilitiesRole,  // QVariantList of 3 floats
    TimesForgottenRole,    // correct → wrong transitions over the history's passes
    FirstLearnedRole,      // pass (0-based) first right, -1: never learned
    StableSinceRole,       // pass from which it has stayed right, -1: wrong now
  };

  explicit PredictionModel(QObject* parent = nullptr);

  void setDataset(DatasetPtr data);
  // Ignored (predictions cleared) when it does not match the dataset's validation set.
  // The history is ignored (cleared) when it does not cover the validation set.
  void setEvaluation(EvalPtr eval, HistoryPtr history = {});
  void clearEvaluation();
  bool hasEvaluation() const { return m_eval != nullptr; }
  const DatasetPtr& dataset() const { return m_data; }
  const EvalPtr& evaluation() const { return m_eval; }
  int correctCount() const { return m_correct; }
  int classes() const;  // 0 without a dataset
  // The dataset's class names (numbers for a dataset without a label file).
  const ClassNames& classNames() const { return m_names; }
  // (classes, classes) counts of the evaluation, true label × predicted, row-major; empty without
  // an evaluation.
  std::vector<long long> confusionCounts() const;

  // Row accessors for the proxy, the confusion matrix and the CSV (predictions need an evaluation).
  int trueLabel(int row) const;
  int predicted(int row, int rank = 0) const;
  float probability(int row, int rank = 0) const;
  float trueProbability(int row) const;
  float loss(int row) const;
  // Whether the network answered image `row` (cs::answered()).
  bool answered(int row) const { return m_eval && cs::answered(*m_eval, 0, row); }
  bool correct(int row) const { return answered(row) && predicted(row) == trueLabel(row); }

  bool hasHistory() const { return m_history != nullptr; }
  const HistoryPtr& history() const { return m_history; }
  // Per image, read from the history (0 / -1 without one). Passes are 0-based positions.
  int timesForgotten(int row) const;
  int firstLearned(int row) const;
  int stableSince(int row) const;
  bool neverLearned(int row) const { return hasHistory() && firstLearned(row) < 0; }

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QHash<int, QByteArray> roleNames() const override;

  // index,true_label,pred1,prob1,pred2,prob2,pred3,prob3,true_prob,loss,correct
  void writeCsv(QTextStream& out) const;

 private:
  QImage thumbnail(int row) const;
  QString historyText(int row) const;

  DatasetPtr m_data;
  EvalPtr m_eval;
  ClassNames m_names;
  int m_correct = 0;
  HistoryPtr m_history;
  std::vector<int> m_forgotten, m_firstLearned, m_stableSince;  // (rows) from m_history
};

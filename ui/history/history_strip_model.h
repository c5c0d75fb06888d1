// One validation image's learning history as a strip: one row per validation pass, in order,
// with the image's top-1 at that pass and whether it was right. A new history (after each
// evaluation) or another image resets the model; the history itself is an immutable copy.
#pragma once

#include <QAbstractListModel>

#include "predictions/class_names.h"
#include "training/training_types.h"

class HistoryStripModel : public QAbstractListModel {
  Q_OBJECT

 public:
  enum Role {
    CorrectRole = Qt::UserRole + 1,  // bool
    PredictedRole,                   // int: the top-1 class (cs::kNoLabel: no answer)
    StepRole,                        // qlonglong: optimizer steps when the pass ran
    EpochRole,                       // double: the place on the epoch axis
  };

  explicit HistoryStripModel(QObject* parent = nullptr);

  void setClassNames(const ClassNames& names);
  void setHistory(HistoryPtr history);  // keeps the image when the history still has it
  void setImage(int image);             // -1: none
  const HistoryPtr& history() const { return m_history; }
  int image() const { return m_image; }

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

 private:
  bool shows() const;

  HistoryPtr m_history;
  int m_image = -1;
  ClassNames m_names;
};

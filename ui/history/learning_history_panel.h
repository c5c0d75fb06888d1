// Below the prediction grid: the selected (probe) image's learning history as a strip of
// evaluations, a line that sums it up (times forgotten, first learned, right since), and an
// export of the whole run's history as CSV (image,eval_index,step,top1,correct).
#pragma once

#include <QWidget>

class ElidedLabel;
class HistoryStripModel;
class PredictionModel;
class QListView;
class QToolButton;

class LearningHistoryPanel : public QWidget {
  Q_OBJECT

 public:
  explicit LearningHistoryPanel(PredictionModel* predictions, QWidget* parent = nullptr);

  void setImage(int image);
  HistoryStripModel* stripModel() const { return m_model; }
  QListView* strip() const { return m_strip; }
  QString summaryText() const;
  // Writes the history atomically; false with *error set when there is none or it failed.
  bool exportCsv(const QString& path, QString* error) const;

 private:
  void refresh();
  void askAndExport();

  PredictionModel* m_predictions;
  HistoryStripModel* m_model;
  ElidedLabel* m_summary;
  QListView* m_strip;
  QToolButton* m_export;
};

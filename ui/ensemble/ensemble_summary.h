// The head of the Ensemble view: the run's title and provenance, the accuracy figures (mean ± std,
// lowest and highest network, the ensemble vote, how many images the networks get wrong) and
// where the validation images came from.
#pragma once

#include <QWidget>

#include "ensemble/ensemble_run.h"

class ElidedLabel;
class NoteLabel;
class QLabel;

class EnsembleSummary : public QWidget {
  Q_OBJECT

 public:
  explicit EnsembleSummary(QWidget* parent = nullptr);

  void setRun(const EnsembleRunPtr& run);  // null: "no run selected"

  // The figures as shown, for tests: "98.62% ± 0.12", …
  QString meanText() const;
  QString voteText() const;
  QString imagesNote() const;
  QString subtitle() const;  // "finished · 2/2 epochs · ..."

 private:
  ElidedLabel* m_title;  // elided (whole in the tool tip): as labels, they widened the page
  ElidedLabel* m_subtitle;
  QLabel* m_mean;
  QLabel* m_min;
  QLabel* m_max;
  QLabel* m_vote;
  QLabel* m_hard;
  QLabel* m_meanDetail;
  QLabel* m_minDetail;
  QLabel* m_maxDetail;
  QLabel* m_voteDetail;
  QLabel* m_hardDetail;
  NoteLabel* m_images;
  ElidedLabel* m_warning;  // the run's not-learning warning, one line, whole in its tool tip
};

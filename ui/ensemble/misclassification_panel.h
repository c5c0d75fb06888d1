// The misclassification table with its filter controls above it (true label, wrong label, minimum
// wrong count, clear) and the number of images shown, or "No images match" over an empty table. It
// keeps a current row whenever there is one to show and reports the image behind it.
#pragma once

#include <QWidget>

#include "ensemble/ensemble_run.h"

class MisclassificationFilterModel;
class NoMatchPlaceholder;
class QComboBox;
class QLabel;
class QSpinBox;
class QTableView;

class MisclassificationPanel : public QWidget {
  Q_OBJECT

 public:
  explicit MisclassificationPanel(MisclassificationFilterModel* proxy, QWidget* parent = nullptr);

  // Fits the controls to the run's classes and networks (after the model took the run).
  void setRun(const EnsembleRunPtr& run);
  QTableView* table() const { return m_table; }
  int currentImage() const;  // -1 when no row is current
  // Makes the row of `image` current when it is shown; false otherwise.
  bool selectImage(int image);
  // Every filter back to "any" (the Clear filters button, and the no-match placeholder's).
  void clearFilters();
  NoMatchPlaceholder* placeholder() const { return m_placeholder; }

 Q_SIGNALS:
  void imageSelected(int image);  // -1 when no row is current
  void exportCsvRequested();

 private:
  void showFilters();
  void applyControls();
  void ensureCurrentRow();
  void updateCount();

  MisclassificationFilterModel* m_proxy;
  QComboBox* m_trueLabel;
  QComboBox* m_wrongLabel;
  QSpinBox* m_minimumWrong;
  QLabel* m_count;
  QTableView* m_table;
  NoMatchPlaceholder* m_placeholder;
  int m_total = 0;
  int m_reported = -2;  // the last image reported by imageSelected
  int m_kept = -1;      // the current image before the filters changed
  // The "wrong in >=" last set (by the user, or the page), which a run of fewer networks shows
  // clamped; and the one the filter has.
  int m_wantedWrong = 0;
  int m_shownWrong = 0;
};

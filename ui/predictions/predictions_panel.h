// The validation predictions: every validation image in a scrolling grid (a QListView in icon
// mode over the prediction model, through the filter proxy), with filter and order controls.
// Clicking an image, or moving the current image with the arrow keys, asks for it as the probe;
// the probe's learning history is shown as a strip below the grid. The count of images shown
// (and the accuracy) sits beside the controls where it fits whole, else on a row below them.
// A filter that leaves no image shows "No images match" with Clear filters; a filter by
// prediction is dropped when the predictions are.
#pragma once

#include <QWidget>

#include "predictions/prediction_filter_model.h"

class PredictionDelegate;
class PredictionModel;
class ElidedLabel;
class QComboBox;
class QHBoxLayout;
class LearningHistoryPanel;
class NoMatchPlaceholder;
class QLabel;
class QListView;
class WrapRowLayout;

class PredictionsPanel : public QWidget {
  Q_OBJECT

 public:
  explicit PredictionsPanel(PredictionModel* model, QWidget* parent = nullptr);

  PredictionFilterModel* filterModel() const { return m_proxy; }
  QListView* view() const { return m_view; }
  void showFilter(PredictionFilter filter, int trueLabel = -1, int predictedLabel = -1);
  void showOrder(PredictionOrder order);
  void setProbeRow(int row);
  NoMatchPlaceholder* placeholder() const { return m_placeholder; }
  LearningHistoryPanel* historyPanel() const { return m_history; }

 Q_SIGNALS:
  void probeRequested(int row);
  // The confusion cell the grid is filtered by, (-1, -1) for any other filter: for the matrix's
  // mark. Sent on every filter change.
  void cellFilterChanged(int trueLabel, int predicted);

 private:
  void applyControls();
  void updateCount();
  void updateDigits();
  void dropStaleFilter();

  PredictionModel* m_model;
  PredictionFilterModel* m_proxy;
  PredictionDelegate* m_delegate;
  QComboBox* m_filter;
  QComboBox* m_digit;
  QComboBox* m_order;
  ElidedLabel* m_count;
  QHBoxLayout* m_controls;
  WrapRowLayout* m_header;  // the controls, then the count beside them or below
  QListView* m_view;
  NoMatchPlaceholder* m_placeholder;
  LearningHistoryPanel* m_history;
  bool m_proxyMoving = false;  // between the proxy's announcing and making a change of its rows
};

// The validation predictions: every validation image in a scrolling grid (a QListView in icon
// mode over the prediction model, through the filter proxy), with filter and order controls.
// Clicking an image asks for it as the probe.
#pragma once

#include <QWidget>

#include "predictions/prediction_filter_model.h"

class PredictionDelegate;
class PredictionModel;
class QComboBox;
class ElidedLabel;
class QLabel;
class QListView;

class PredictionsPanel : public QWidget {
  Q_OBJECT

 public:
  explicit PredictionsPanel(PredictionModel* model, QWidget* parent = nullptr);

  PredictionFilterModel* filterModel() const { return m_proxy; }
  QListView* view() const { return m_view; }
  void showFilter(PredictionFilter filter, int trueLabel = -1, int predictedLabel = -1);
  void showOrder(PredictionOrder order);
  void setProbeRow(int row);

 Q_SIGNALS:
  void probeRequested(int row);

 private:
  void applyControls();
  void updateCount();
  void updateDigits();

  PredictionModel* m_model;
  PredictionFilterModel* m_proxy;
  PredictionDelegate* m_delegate;
  QComboBox* m_filter;
  QComboBox* m_digit;
  QComboBox* m_order;
  ElidedLabel* m_count;
  QListView* m_view;
};

// The Ensemble view's confusion matrix of all networks under its title, with a Clear button
// (clearRequested) and how to read and use it.
#pragma once

#include <QWidget>

class ConfusionMatrixView;

class ConfusionBox : public QWidget {
  Q_OBJECT

 public:
  explicit ConfusionBox(ConfusionMatrixView* view, QWidget* parent = nullptr);

 Q_SIGNALS:
  void clearRequested();
};

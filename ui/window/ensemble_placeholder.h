// The Ensemble view until it is built: says how to create an ensemble.
#pragma once

#include <QWidget>

class EnsemblePlaceholder : public QWidget {
  Q_OBJECT

 public:
  explicit EnsemblePlaceholder(QWidget* parent = nullptr);
};

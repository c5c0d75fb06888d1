// The three most probable classes of a prediction, best first, each with a bar as long as its
// probability and the percentage.
#pragma once

#include <QWidget>
#include <vector>

#include "predictions/class_names.h"

class TopPredictions : public QWidget {
  Q_OBJECT

 public:
  static constexpr int kShown = 3;

  explicit TopPredictions(QWidget* parent = nullptr);

  // Empty: nothing to show (with `placeholder` in its place).
  void setProbabilities(std::vector<float> probs, const QString& placeholder = {});
  void setClassNames(const ClassNames& names);
  // The classes shown, best first (at most kShown).
  std::vector<int> topClasses() const;
  const std::vector<float>& probabilities() const { return m_probs; }
  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  std::vector<float> m_probs;
  QString m_placeholder;
  ClassNames m_names;
};

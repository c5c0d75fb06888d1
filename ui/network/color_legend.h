// A small legend for the diverging colour map: the gradient bar with -m, 0 and +m under it,
// or "per channel" when every tile has its own scale.
#pragma once

#include <QWidget>

class ColorLegend : public QWidget {
  Q_OBJECT

 public:
  explicit ColorLegend(QWidget* parent = nullptr);

  // absMax < 0: per-channel scales (no single range to show).
  void setRange(float absMax);
  QSize sizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  float m_absMax = -1;
};

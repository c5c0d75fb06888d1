// A one-line label that never asks for more width than it is given: a text longer than the space
// is elided at the right ("…") and shown whole in the tooltip. For status texts whose length
// depends on the data (counts, filters, device names), so that they cannot widen a window. Its
// context menu copies the whole text.
#pragma once

#include <QFrame>
#include <QString>

class ElidedLabel : public QFrame {
  Q_OBJECT

 public:
  explicit ElidedLabel(QWidget* parent = nullptr);

  void setText(const QString& text);
  QString text() const { return m_text; }
  // Whether the text is cut at the current width.
  bool isElided() const;

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  void updateToolTip();

  QString m_text;
};

// The message an item view shows when its filters leave no rows: "No images match the filters"
// with a Clear filters button, centred over the view's viewport. The owner decides when it shows
// (setActive) and clears its filters on clearRequested.
#pragma once

#include <QWidget>

class QAbstractItemView;
class QLabel;
class QPushButton;

class NoMatchPlaceholder : public QWidget {
  Q_OBJECT

 public:
  explicit NoMatchPlaceholder(QAbstractItemView* view);

  void setActive(bool active);  // shown while active and the view is
  bool isActive() const { return m_active; }
  QPushButton* clearButton() const { return m_clear; }

 Q_SIGNALS:
  void clearRequested();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void place();

  QWidget* m_viewport;
  QLabel* m_text;
  QPushButton* m_clear;
  bool m_active = false;
};

// A row of items that wraps where it has not the room, for a panel's controls and texts that
// must stay whole at any width: each item keeps the width it asks for (its size hint) and starts
// a new line where its line has not that much left. An item that can grow sideways (an Expanding
// size policy) takes the rest of its line; one aligned right sits at its line's end. Items of a
// line are centred on it, or take its height where they can grow up and down. Hidden items take
// no room. The layout has a height for each width, so that the panel gives it its lines.
#pragma once

#include <QLayout>
#include <QList>

class WrapRowLayout : public QLayout {
 public:
  WrapRowLayout(int horizontalSpacing, int verticalSpacing, QWidget* parent = nullptr);
  ~WrapRowLayout() override;

  void addLayout(QLayout* layout);  // as one item
  void addItem(QLayoutItem* item) override;
  int count() const override;
  QLayoutItem* itemAt(int index) const override;
  QLayoutItem* takeAt(int index) override;
  Qt::Orientations expandingDirections() const override;
  bool hasHeightForWidth() const override { return true; }
  int heightForWidth(int width) const override;
  QSize minimumSize() const override;
  QSize sizeHint() const override;
  void setGeometry(const QRect& rect) override;

  // The line each visible item was placed on by the last setGeometry, from 0; -1 when hidden.
  int lineOf(const QWidget* widget) const;

 private:
  // Lays the items out in `rect` (or only measures, when `apply` is false); the height it takes.
  int arrange(const QRect& rect, bool apply) const;

  QList<QLayoutItem*> m_items;
  int m_horizontal;
  int m_vertical;
  mutable QList<int> m_lines;  // per item, as lineOf reports it
};

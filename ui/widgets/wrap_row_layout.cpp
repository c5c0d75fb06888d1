#include "widgets/wrap_row_layout.h"

#include <QWidget>
#include <algorithm>

WrapRowLayout::WrapRowLayout(int horizontalSpacing, int verticalSpacing, QWidget* parent)
    : QLayout(parent), m_horizontal(horizontalSpacing), m_vertical(verticalSpacing) {
  setContentsMargins(0, 0, 0, 0);
}

WrapRowLayout::~WrapRowLayout() {
  while (QLayoutItem* item = takeAt(0)) delete item;
}

void WrapRowLayout::addLayout(QLayout* layout) {
  addChildLayout(layout);
  addItem(layout);
}

void WrapRowLayout::addItem(QLayoutItem* item) {
  m_items.append(item);
  m_lines.append(-1);
  invalidate();
}

int WrapRowLayout::count() const {
  return static_cast<int>(m_items.size());
}

QLayoutItem* WrapRowLayout::itemAt(int index) const {
  return m_items.value(index);
}

QLayoutItem* WrapRowLayout::takeAt(int index) {
  if (index < 0 || index >= m_items.size()) return nullptr;
  m_lines.removeAt(index);
  QLayoutItem* item = m_items.takeAt(index);
  invalidate();
  return item;
}

Qt::Orientations WrapRowLayout::expandingDirections() const {
  Qt::Orientations out;
  for (const QLayoutItem* item : m_items)
    if (!item->isEmpty()) out |= item->expandingDirections();
  return out;
}

int WrapRowLayout::heightForWidth(int width) const {
  return arrange(QRect(0, 0, width, 0), false);
}

// As narrow as the widest item allows, every item on its own line.
QSize WrapRowLayout::minimumSize() const {
  QSize size;
  for (const QLayoutItem* item : m_items)
    if (!item->isEmpty()) size = size.expandedTo(item->minimumSize());
  const QMargins margins = contentsMargins();
  return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom());
}

// Every item on one line.
QSize WrapRowLayout::sizeHint() const {
  int width = 0, height = 0, visible = 0;
  for (const QLayoutItem* item : m_items) {
    if (item->isEmpty()) continue;
    const QSize hint = item->sizeHint();
    width += hint.width();
    height = std::max(height, hint.height());
    ++visible;
  }
  const QMargins margins = contentsMargins();
  return {width + std::max(0, visible - 1) * m_horizontal + margins.left() + margins.right(),
          height + margins.top() + margins.bottom()};
}

void WrapRowLayout::setGeometry(const QRect& rect) {
  QLayout::setGeometry(rect);
  arrange(rect, true);
}

int WrapRowLayout::lineOf(const QWidget* widget) const {
  for (int i = 0; i < m_items.size(); ++i)
    if (m_items[i]->widget() == widget) return m_items[i]->isEmpty() ? -1 : m_lines[i];
  return -1;
}

int WrapRowLayout::arrange(const QRect& rect, bool apply) const {
  const QRect area = rect.marginsRemoved(contentsMargins());
  const int room = std::max(0, area.width());
  // The lines: each the indices of its items, their widths and its height.
  struct Line {
    QList<int> items;
    QList<int> widths;
    int used = 0;
    int height = 0;
  };
  QList<Line> lines;
  for (int i = 0; i < m_items.size(); ++i) {
    const QLayoutItem* item = m_items[i];
    if (item->isEmpty()) continue;
    const int width = std::min(item->sizeHint().width(), room);
    if (lines.isEmpty() ||
        (!lines.last().items.isEmpty() && lines.last().used + m_horizontal + width > room))
      lines.append(Line{});
    Line& line = lines.last();
    line.used += (line.items.isEmpty() ? 0 : m_horizontal) + width;
    line.items.append(i);
    line.widths.append(width);
  }
  int y = area.top();
  for (int n = 0; n < lines.size(); ++n) {
    Line& line = lines[n];
    // The rest of the line goes to its first item that can grow, else before its first item
    // aligned right.
    int spare = room - line.used;
    for (int k = 0; k < line.items.size() && spare > 0; ++k)
      if (m_items[line.items[k]]->expandingDirections() & Qt::Horizontal) {
        line.widths[k] += spare;
        line.used += spare;
        spare = 0;
      }
    for (int k = 0; k < line.items.size(); ++k) {
      const QLayoutItem* item = m_items[line.items[k]];
      line.height =
          std::max(line.height, item->hasHeightForWidth() ? item->heightForWidth(line.widths[k])
                                                          : item->sizeHint().height());
    }
    if (apply) {
      int x = area.left();
      for (int k = 0; k < line.items.size(); ++k) {
        const int index = line.items[k];
        QLayoutItem* item = m_items[index];
        if (spare > 0 && (item->alignment() & Qt::AlignRight)) {
          x += spare;
          spare = 0;
        }
        const int width = line.widths[k];
        const int height = item->expandingDirections() & Qt::Vertical ? line.height
                           : item->hasHeightForWidth()
                               ? std::min(line.height, item->heightForWidth(width))
                               : std::min(line.height, item->sizeHint().height());
        item->setGeometry(QRect(x, y + (line.height - height) / 2, width, height));
        m_lines[index] = n;
        x += width + m_horizontal;
      }
    }
    y += line.height + (n + 1 < lines.size() ? m_vertical : 0);
  }
  const QMargins margins = contentsMargins();
  return y - area.top() + margins.top() + margins.bottom();
}

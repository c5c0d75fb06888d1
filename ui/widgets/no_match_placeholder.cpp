#include "widgets/no_match_placeholder.h"

#include <QAbstractItemView>
#include <QEvent>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

NoMatchPlaceholder::NoMatchPlaceholder(QAbstractItemView* view)
    : QWidget(view->viewport()),
      m_viewport(view->viewport()),
      m_text(new QLabel(tr("No images match the filters"))),
      m_clear(new QPushButton(tr("Clear filters"))) {
  setObjectName(QStringLiteral("noMatchPlaceholder"));
  m_text->setObjectName(QStringLiteral("note"));
  m_text->setAlignment(Qt::AlignCenter);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(8, 8, 8, 8);
  layout->addWidget(m_text, 0, Qt::AlignHCenter);
  layout->addWidget(m_clear, 0, Qt::AlignHCenter);
  connect(m_clear, &QPushButton::clicked, this, &NoMatchPlaceholder::clearRequested);
  m_viewport->installEventFilter(this);
  hide();
}

void NoMatchPlaceholder::setActive(bool active) {
  m_active = active;
  setVisible(active);
  if (active) {
    place();
    raise();
  }
}

bool NoMatchPlaceholder::eventFilter(QObject* watched, QEvent* event) {
  if (watched == m_viewport && event->type() == QEvent::Resize && m_active) place();
  return QWidget::eventFilter(watched, event);
}

void NoMatchPlaceholder::place() {
  const QSize size = sizeHint().boundedTo(m_viewport->size());
  setGeometry(QRect(
      QPoint((m_viewport->width() - size.width()) / 2, (m_viewport->height() - size.height()) / 3),
      size));
}

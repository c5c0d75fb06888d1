#include "window/task_indicator.h"

#include <QFontMetrics>
#include <QHBoxLayout>
#include <QProgressBar>
#include <QToolButton>
#include <cmath>

#include "widgets/task_progress_box.h"

namespace {
constexpr int kSteps = 1000;
}

TaskIndicator::TaskIndicator(const QString& name, QWidget* parent)
    : QWidget(parent), m_name(name), m_button(new QToolButton), m_bar(new QProgressBar) {
  setObjectName(QStringLiteral("taskIndicator"));
  m_button->setAutoRaise(true);
  m_button->setCursor(Qt::PointingHandCursor);
  m_bar->setRange(0, kSteps);
  m_bar->setTextVisible(false);
  m_bar->setFixedSize(60, 10);
  // A fixed width: the text changes with every report, and a new width would relayout the window.
  m_button->ensurePolished();
  m_button->setFixedWidth(
      m_button->fontMetrics().horizontalAdvance(tr("%1 %2%").arg(name).arg(100)) + 16);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 4, 0);
  layout->setSpacing(2);
  layout->addWidget(m_button);
  layout->addWidget(m_bar);
  hide();
  connect(m_button, &QToolButton::clicked, this, &TaskIndicator::activated);
}

void TaskIndicator::follow(const TaskProgressBox* box) {
  connect(box, &TaskProgressBox::changed, this, [this, box] { showTask(box); });
  connect(box, &TaskProgressBox::ended, this, &QWidget::hide);
  if (!box->isHidden()) showTask(box);
}

QString TaskIndicator::text() const {
  return m_button->text();
}

QString TaskIndicator::description() const {
  return text() + QStringLiteral(": ") + m_title;
}

void TaskIndicator::showTask(const TaskProgressBox* box) {
  const int done = static_cast<int>(std::lround(kSteps * box->fraction()));
  m_button->setText(tr("%1 %2%").arg(m_name).arg(done / 10));
  m_bar->setValue(done);
  m_title = box->titleText();
  const QString status = box->statusText();
  setToolTip(status.isEmpty() ? m_title : m_title + QLatin1Char('\n') + status);
  m_button->setToolTip(toolTip());
  show();
}

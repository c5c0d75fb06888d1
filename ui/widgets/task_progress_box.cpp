#include "widgets/task_progress_box.h"

#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "widgets/elided_label.h"

namespace {
constexpr int kSteps = 1000;  // the bar's resolution
}

TaskProgressBox::TaskProgressBox(QWidget* parent)
    : QWidget(parent),
      m_title(new ElidedLabel),
      m_progress(new QProgressBar),
      m_cancel(new QPushButton(QIcon(QStringLiteral(":/icons/stop.svg")), tr("Cancel"))),
      m_status(new QLabel),
      m_warning(new ElidedLabel) {
  setObjectName(QStringLiteral("trainingBox"));
  setAttribute(Qt::WA_StyledBackground);  // the style sheet's frame and background
  m_title->setObjectName(QStringLiteral("sectionTitle"));
  m_status->setObjectName(QStringLiteral("note"));
  m_warning->setObjectName(QStringLiteral("issue"));
  m_warning->hide();
  m_progress->setTextVisible(false);
  m_progress->setRange(0, kSteps);
  auto* progressRow = new QHBoxLayout;
  progressRow->addWidget(m_progress, 1);
  progressRow->addWidget(m_cancel);
  auto* box = new QVBoxLayout(this);
  box->setContentsMargins(10, 8, 10, 8);
  box->setSpacing(4);
  box->addWidget(m_title);
  box->addLayout(progressRow);
  box->addWidget(m_status);
  box->addWidget(m_warning);
  hide();
  connect(m_cancel, &QPushButton::clicked, this, &TaskProgressBox::cancelRequested);
}

void TaskProgressBox::begin(const QString& title, const QString& status) {
  m_title->setText(title);
  m_status->setText(status);
  if (isHidden()) {
    m_warning->hide();
    m_progress->setValue(0);
    m_cancel->setEnabled(true);
  }
  show();
  Q_EMIT changed();
}

void TaskProgressBox::setProgress(double fraction, const QString& status, const QString& warning) {
  m_progress->setValue(static_cast<int>(std::lround(kSteps * std::clamp(fraction, 0.0, 1.0))));
  m_status->setText(status);
  m_warning->setText(warning);
  m_warning->setVisible(!warning.isEmpty());
  Q_EMIT changed();
}

void TaskProgressBox::end() {
  hide();
  Q_EMIT ended();
}

QString TaskProgressBox::titleText() const {
  return m_title->text();
}

double TaskProgressBox::fraction() const {
  return static_cast<double>(m_progress->value()) / kSteps;
}

QString TaskProgressBox::statusText() const {
  return m_status->text();
}

QString TaskProgressBox::warningText() const {
  return m_warning->isHidden() ? QString() : m_warning->text();
}

#include "window/training_status_bar.h"

#include <QFontMetrics>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <cmath>

#include "widgets/elided_label.h"
#include "window/task_indicator.h"

TrainingStatusBar::TrainingStatusBar(QWidget* parent)
    : QStatusBar(parent),
      m_state(new QLabel),
      m_progress(new QProgressBar),
      m_steps(new QLabel),
      m_rate(new QLabel),
      m_learningRate(new QLabel),
      m_time(new QLabel),
      m_backend(new ElidedLabel) {
  m_state->setObjectName(QStringLiteral("stateLabel"));
  m_steps->setObjectName(QStringLiteral("positionLabel"));
  m_learningRate->setObjectName(QStringLiteral("learningRateLabel"));
  m_learningRate->setToolTip(tr("The learning rate of the next step, as its schedule sets it"));
  m_state->setMinimumWidth(90);
  m_progress->setFixedWidth(120);
  m_progress->setTextVisible(false);
  m_progress->setRange(0, 1000);
  // Fixed sizes for the labels that change ten times a second: a fixed-size widget's new text
  // does not relayout the window (it showed as a tenth of the GUI thread's time in a profile).
  const auto fix = [](QLabel* label, const QString& widest) {
    label->ensurePolished();
    const QFontMetrics metrics = label->fontMetrics();
    label->setFixedSize(metrics.horizontalAdvance(widest) + 12, label->sizeHint().height());
  };
  fix(m_steps, QStringLiteral("Epoch 88/888 (8,888/8,888) · step 888,888"));
  fix(m_rate, QStringLiteral("888,888 samples/s"));
  fix(m_learningRate, QStringLiteral("lr 0.0008888"));  // a 3-digit rate and room to spare
  fix(m_time, QStringLiteral("8:88:88 elapsed · ETA 8:88:88"));
  for (QWidget* run : std::initializer_list<QWidget*>{m_state, m_progress, m_steps, m_rate,
                                                      m_learningRate, m_time}) {
    addPermanentWidget(run);
    ++m_taskIndex;
  }
  addPermanentWidget(m_backend, 1);
  connect(this, &QStatusBar::messageChanged, this, [this](const QString& message) {
    m_backend->setText(message.isEmpty() ? m_backendText : message);
  });
  setState(TrainingState::Idle);
  clearProgress();
}

QString TrainingStatusBar::formatDuration(double seconds) {
  const long long s = std::max(0LL, std::llround(seconds));
  const QString mmss =
      QStringLiteral("%1:%2").arg(s / 60 % 60).arg(s % 60, 2, 10, QLatin1Char('0'));
  if (s < 3600) return mmss;
  return QStringLiteral("%1:%2").arg(s / 3600).arg(mmss.rightJustified(5, QLatin1Char('0')));
}

void TrainingStatusBar::setState(TrainingState state) {
  m_current = state;
  m_state->setText(QStringLiteral("● ") + displayName(state));
  m_state->setProperty("state", displayName(state));
  m_state->setToolTip(QString());
  m_state->setStyleSheet(QStringLiteral("color: %1; font-weight: 600;")
                             .arg(state == TrainingState::Running   ? QStringLiteral("#2e9e4f")
                                  : state == TrainingState::Paused  ? QStringLiteral("#c27c0e")
                                  : state == TrainingState::Stopped ? QStringLiteral("#d64545")
                                                                    : QStringLiteral("#5f6b77")));
  if (state != TrainingState::Running) m_rate->setText(tr("— samples/s"));
  showTime();
}

void TrainingStatusBar::setProgress(const TrainingProgress& p) {
  const QLocale locale;
  const long long planned = p.stepsPlanned();
  m_progress->setValue(planned > 0 ? static_cast<int>(1000 * p.stepsDone() / planned) : 0);
  m_progress->setToolTip(
      tr("%1 of %2 steps").arg(locale.toString(p.stepsDone()), locale.toString(planned)));
  m_steps->setText(positionText(p));
  if (!p.earlyStop.isEmpty() && m_current == TrainingState::Finished) {
    m_state->setText(tr("● Stopped early"));
    m_state->setToolTip(tr("After epoch %1: %2").arg(p.epoch).arg(p.earlyStop));
    if (m_earlyStopShown != p.earlyStop)
      showMessage(tr("Stopped early after epoch %1: %2").arg(p.epoch).arg(p.earlyStop) +
                      (p.canRewind ? tr(" · Training ▸ Rewind to best epoch goes back to its "
                                        "weights")
                                   : QString()),
                  15000);
    m_earlyStopShown = p.earlyStop;
  } else if (p.earlyStop.isEmpty()) {
    m_earlyStopShown.clear();
  }
  m_learningRate->setVisible(p.scheduledRate >= 0);
  m_learningRate->setText(tr("lr %1").arg(locale.toString(p.scheduledRate, 'g', 3)));
  if (m_current == TrainingState::Running)
    m_rate->setText(tr("%1 samples/s").arg(locale.toString(std::llround(p.samplesPerSecond))));
  m_elapsed = tr("%1 elapsed").arg(formatDuration(p.elapsedSeconds));
  m_eta = p.etaSeconds >= 0 && p.stepsLeft() > 0 ? tr(" · ETA %1").arg(formatDuration(p.etaSeconds))
                                                 : QString();
  showTime();
}

QString TrainingStatusBar::positionText(const TrainingProgress& p) {
  // "step" is the global step everywhere (the probe view names its frames by it too).
  const QLocale locale;
  return tr("Epoch %1/%2 (%3/%4) · step %5")
      .arg(p.currentEpoch)
      .arg(p.epochs)
      .arg(locale.toString(p.stepInEpoch), locale.toString(p.stepsPerEpoch),
           locale.toString(p.globalStep));
}

void TrainingStatusBar::showTime() {
  m_time->setText(m_current == TrainingState::Running ? m_elapsed + m_eta : m_elapsed);
}

QString TrainingStatusBar::backendText() const {
  return m_backendText;
}

QString TrainingStatusBar::shownText() const {
  return m_backend->text();
}

void TrainingStatusBar::setBackend(const BackendReport& report) {
  const QString device = report.device.isEmpty()
                             ? report.kind.toUpper()
                             : report.kind.toUpper() + QStringLiteral(" · ") + report.device;
  m_backendText = report.note.isEmpty() ? device : report.note;
  if (currentMessage().isEmpty()) m_backend->setText(m_backendText);
}

void TrainingStatusBar::addTask(TaskIndicator* indicator) {
  insertPermanentWidget(m_taskIndex++, indicator);
}

void TrainingStatusBar::clearProgress() {
  m_progress->setValue(0);
  m_steps->setText(tr("Epoch –/– · step –"));
  m_learningRate->hide();
  m_rate->setText(tr("— samples/s"));
  m_elapsed = tr("0:00 elapsed");
  m_eta.clear();
  showTime();
}

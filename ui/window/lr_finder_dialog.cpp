#include "window/lr_finder_dialog.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

#include "charts/lr_finder_chart.h"
#include "settings/invalid_field.h"
#include "settings/log_spin_box.h"
#include "settings/training_settings.h"
#include "training/lr_finder_worker.h"
#include "widgets/count_text.h"
#include "widgets/note_label.h"

namespace {

const QString kMinRateKey = QStringLiteral("lrFinder/minRate");
const QString kMaxRateKey = QStringLiteral("lrFinder/maxRate");
const QString kStepsKey = QStringLiteral("lrFinder/steps");

LogSpinBox* rateField(const QString& name, const QString& toolTip) {
  auto* field = new LogSpinBox;
  field->setObjectName(name);
  field->setDecimals(10);
  // The panel's learning rates (a suggestion is a tenth of one of them) up to beyond what the test
  // allows: lr_finder_problem() says why.
  field->setRange(1e-6, 100);
  field->setToolTip(toolTip);
  return field;
}

}  // namespace

LrFinderDialog::LrFinderDialog(DatasetPtr data, const QString& dataName,
                               const cs::GroupConfig& group, cs::BackendChoice backend,
                               QWidget* parent)
    : QDialog(parent),
      m_data(std::move(data)),
      m_group(group),
      m_backend(backend),
      m_minRate(rateField(QStringLiteral("minRate"), tr("The rate of the first step"))),
      m_maxRate(rateField(QStringLiteral("maxRate"), tr("The rate of the last step (at most 10)"))),
      m_steps(new QSpinBox),
      m_subject(new QLabel),
      m_run(new QPushButton(tr("Run"))),
      m_progress(new NoteLabel),
      m_chart(new LrFinderChart),
      m_resultLine(new NoteLabel),
      m_use(new QPushButton(tr("Use suggested rate"))) {
  setWindowTitle(tr("Find learning rate"));
  setObjectName(QStringLiteral("lrFinderDialog"));
  m_group.seeds.resize(1);  // network 0's
  m_steps->setObjectName(QStringLiteral("steps"));
  m_steps->setRange(10, 10000);
  m_steps->setSingleStep(10);
  m_steps->setToolTip(tr("Steps to take, one batch each; a new epoch after each pass"));
  m_run->setObjectName(QStringLiteral("runButton"));
  m_use->setObjectName(QStringLiteral("useButton"));
  m_progress->setObjectName(QStringLiteral("progress"));
  m_progress->setWordWrap(true);
  m_resultLine->setObjectName(QStringLiteral("result"));
  m_resultLine->setWordWrap(true);
  m_resultLine->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_subject->setObjectName(QStringLiteral("subject"));
  m_subject->setWordWrap(true);

  const cs::LrFinderSettings defaults;
  const QSettings last;
  m_minRate->setValue(last.value(kMinRateKey, defaults.min_lr).toDouble());
  m_maxRate->setValue(last.value(kMaxRateKey, defaults.max_lr).toDouble());
  m_steps->setValue(last.value(kStepsKey, defaults.steps).toInt());

  const QString network = QString::fromStdString(m_group.spec.to_string());
  QString optimizer = QString::fromStdString(cs::to_string(m_group.optimizer.kind));
  optimizer +=
      RunInfo::shiftField(m_group.augment_shift) + RunInfo::smoothingField(m_group.label_smoothing);
  const QString dataText = !dataName.isEmpty() ? dataName
                           : m_data            ? QString::fromStdString(m_data->train.name)
                                               : tr("no dataset");
  m_subject->setText(tr("Tests %1 · %2 · batch %3 on %4, network 0's seed (%5), a fresh network: "
                        "the live run is not touched.")
                         .arg(network, optimizer)
                         .arg(m_group.batch_size)
                         .arg(dataText)
                         .arg(m_group.seeds.front()));

  auto* fields = new QHBoxLayout;
  fields->addWidget(new QLabel(tr("Minimum rate")));
  fields->addWidget(m_minRate);
  fields->addSpacing(8);
  fields->addWidget(new QLabel(tr("Maximum rate")));
  fields->addWidget(m_maxRate);
  fields->addSpacing(8);
  fields->addWidget(new QLabel(tr("Steps")));
  fields->addWidget(m_steps);
  fields->addStretch(1);
  fields->addWidget(m_run);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
  buttons->addButton(m_use, QDialogButtonBox::AcceptRole);
  m_use->setEnabled(false);
  m_run->setDefault(true);
  // Enter presses the default button, Run or (once a test suggests a rate) Use, whatever has the
  // focus: neither takes Enter itself when focused, as an auto-default button does.
  for (QPushButton* button : {m_run, m_use}) button->setAutoDefault(false);
  m_chart->setMinimumSize(520, 260);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(m_subject);
  layout->addLayout(fields);
  layout->addWidget(m_progress);
  layout->addWidget(m_chart, 1);
  layout->addWidget(m_resultLine);
  layout->addWidget(buttons);
  resize(760, 560);

  connect(m_run, &QPushButton::clicked, this, [this] { m_running ? stop() : run(); });
  connect(m_use, &QPushButton::clicked, this, [this] {
    Q_EMIT rateChosen(m_suggested);
    accept();
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  // A field changed after a test: Enter runs the new test, not the old one's Use.
  const auto edited = [this] {
    m_run->setDefault(true);
    revalidate();
  };
  for (LogSpinBox* field : {m_minRate, m_maxRate})
    connect(field, &QDoubleSpinBox::valueChanged, this, edited);
  connect(m_steps, &QSpinBox::valueChanged, this, edited);
  revalidate();
}

LrFinderDialog::~LrFinderDialog() {
  if (m_worker) m_worker->cancel();
  m_thread.quit();
  m_thread.wait();
}

QString LrFinderDialog::rateText(double rate) {
  return QString::number(rate, 'g', 3);
}

cs::LrFinderSettings LrFinderDialog::settings() const {
  cs::LrFinderSettings s;
  s.min_lr = m_minRate->value();
  s.max_lr = m_maxRate->value();
  s.steps = m_steps->value();
  return s;
}

void LrFinderDialog::setSettings(const cs::LrFinderSettings& settings) {
  m_minRate->setValue(settings.min_lr);
  m_maxRate->setValue(settings.max_lr);
  m_steps->setValue(settings.steps);
}

QString LrFinderDialog::resultText() const {
  return m_resultLine->text();
}

QString LrFinderDialog::progressText() const {
  return m_progress->text();
}

QString LrFinderDialog::subjectText() const {
  return m_subject->text();
}

void LrFinderDialog::revalidate() {
  m_problem =
      QString::fromStdString(cs::lr_finder_problem(settings(), m_group.optimizer.weight_decay));
  if (m_problem.isEmpty() && !m_data) m_problem = tr("no dataset is loaded");
  // The fields' ranges keep the minimum above 0 and the steps in range: what is left is the
  // maximum, not above the minimum or above 10.
  markFieldInvalid(m_maxRate, !m_problem.isEmpty() && m_data, m_problem);
  if (m_running) return;
  m_run->setEnabled(m_problem.isEmpty());
  m_run->setToolTip(m_problem.isEmpty() ? tr("Train a fresh network while the rate grows")
                                        : tr("Cannot run: %1").arg(m_problem));
  showIdleNote();
}

void LrFinderDialog::showIdleNote() {
  if (!m_problem.isEmpty()) return m_progress->setNote(tr("Cannot run: %1").arg(m_problem), true);
  const cs::LrFinderSettings s = settings();
  const QLocale locale;
  const int images = m_data->train.count;
  const double epochs = double(s.steps) * std::min(m_group.batch_size, images) / images;
  m_progress->setNote(tr("%1 steps of batch %2 (%3 epochs of %4 training images), the rate growing "
                         "from %5 to %6; the test ends early once the loss diverges.")
                          .arg(locale.toString(s.steps))
                          .arg(m_group.batch_size)
                          .arg(locale.toString(epochs, 'g', 3), locale.toString(images),
                               rateText(s.min_lr), rateText(s.max_lr)),
                      false);
}

void LrFinderDialog::connectWorker() {
  registerLrFinderTypes();
  m_worker = new LrFinderWorker;
  m_worker->moveToThread(&m_thread);
  connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
  connect(m_worker, &LrFinderWorker::started, this, &LrFinderDialog::onStarted);
  connect(m_worker, &LrFinderWorker::pointsAdded, this, &LrFinderDialog::onPoints);
  connect(m_worker, &LrFinderWorker::finished, this, &LrFinderDialog::onFinished);
  connect(m_worker, &LrFinderWorker::failed, this, &LrFinderDialog::onFailed);
  m_thread.setObjectName(QStringLiteral("lr finder worker"));
  m_thread.start();
}

void LrFinderDialog::run() {
  if (m_running || !m_problem.isEmpty()) return;
  if (!m_worker) connectWorker();
  m_ran = settings();
  QSettings q;
  q.setValue(kMinRateKey, m_ran.min_lr);
  q.setValue(kMaxRateKey, m_ran.max_lr);
  q.setValue(kStepsKey, m_ran.steps);
  m_running = true;
  m_stopped = false;
  m_stepsDone = 0;
  m_result = {};
  m_suggested = 0;
  m_backendText.clear();
  m_clock.start();
  m_chart->start(m_ran.min_lr, m_ran.max_lr);
  for (QWidget* field : std::initializer_list<QWidget*>{m_minRate, m_maxRate, m_steps})
    field->setEnabled(false);
  m_run->setText(tr("Stop"));
  m_run->setToolTip(tr("End the test after the step in progress"));
  m_use->setText(tr("Use suggested rate"));
  m_use->setEnabled(false);
  m_resultLine->setNote({}, false);
  m_progress->setNote(tr("Preparing a fresh network…"), false);
  m_worker->resetCancel();
  LrFinderWorker* worker = m_worker;
  const DatasetPtr data = m_data;
  const cs::GroupConfig group = m_group;
  const cs::LrFinderSettings ran = m_ran;
  const cs::BackendChoice backend = m_backend;
  QMetaObject::invokeMethod(
      worker, [=] { worker->run(data, group, ran, backend); }, Qt::QueuedConnection);
}

void LrFinderDialog::stop() {
  if (!m_running || !m_worker) return;
  m_worker->cancel();
  m_run->setEnabled(false);
  m_run->setText(tr("Stopping…"));
}

void LrFinderDialog::done(int result) {
  stop();
  QDialog::done(result);
}

void LrFinderDialog::onStarted(const QString& backend) {
  m_backendText = backend;
  m_progress->setNote(tr("Starting on %1…").arg(backend), false);
}

void LrFinderDialog::onPoints(const LrFinderPoints& points) {
  if (points.empty()) return;
  m_chart->addPoints(points);
  m_stepsDone += int(points.size());
  m_last = points.back();
  const QLocale locale;
  m_progress->setNote(
      tr("Step %1 of %2 · rate %3 · smoothed loss %4 · %5")
          .arg(locale.toString(m_stepsDone), locale.toString(m_ran.steps), rateText(m_last.lr),
               locale.toString(m_last.smoothed, 'f', 3), m_backendText),
      false);
}

void LrFinderDialog::onFinished(const cs::LrFinderResult& result, bool stopped) {
  m_result = result;
  m_stopped = stopped;
  // Offered where the panel can take it.
  if (result.suggested_lr >= TrainingSettings::kMinLearningRate &&
      !(stopped && result.still_falling())) {
    m_suggested = rateText(result.suggested_lr).toDouble();
    m_chart->setSuggestion(result.suggested_lr);
    m_use->setText(tr("Use %1").arg(rateText(result.suggested_lr)));
    m_use->setEnabled(true);
    m_use->setDefault(true);
  }
  m_resultLine->setNote(describeResult(), m_suggested <= 0);
  const QLocale locale;
  const QString took = tr("%1 in %2 s on %3")
                           .arg(countText(qsizetype(result.points.size()), tr("step"), tr("steps")),
                                locale.toString(m_clock.elapsed() / 1000.0, 'f', 1), m_backendText);
  endRun();
  m_progress->setNote(took, false);
}

void LrFinderDialog::onFailed(const QString& title, const QString& message) {
  m_resultLine->setNote(tr("%1: %2").arg(title, message), true);
  endRun();
}

void LrFinderDialog::endRun() {
  m_running = false;
  for (QWidget* field : std::initializer_list<QWidget*>{m_minRate, m_maxRate, m_steps})
    field->setEnabled(true);
  m_run->setText(tr("Run"));
  revalidate();
  Q_EMIT runEnded();
}

QString LrFinderDialog::describeResult() const {
  const cs::LrFinderResult& r = m_result;
  const QLocale locale;
  const int n = int(r.points.size());
  const QString suggestion =
      tr("suggested learning rate: %1 — a tenth of %2, where the smoothed loss was lowest")
          .arg(rateText(r.suggested_lr), rateText(r.lowest_lr));
  if (m_stopped) {
    const QString stopped =
        tr("Stopped after %1 of %2 steps").arg(locale.toString(n), locale.toString(m_ran.steps));
    if (r.suggested_lr <= 0) return stopped + tr(": too few for a suggestion (it takes 10)");
    if (r.still_falling())  // the lowest is further on: a tenth of this one would be too low
      return stopped + tr(", the smoothed loss still falling at %1: no suggestion from these; run "
                          "the whole test for one")
                           .arg(rateText(r.points.back().lr));
    return stopped + tr("; from these, the %1").arg(suggestion);
  }
  if (r.suggested_lr <= 0)
    return n == 0 ? tr("No suggestion: the loss was not finite at the first step; try a lower "
                       "minimum rate")
                  : tr("No suggestion: the loss diverged within %1; try a lower minimum rate")
                        .arg(countText(n, tr("step"), tr("steps")));
  QString text = suggestion;
  text[0] = text[0].toUpper();
  if (r.diverged)
    text += tr(". The loss diverged at step %1 (rate %2).")
                .arg(locale.toString(r.diverged_step), rateText(r.diverged_lr));
  else if (r.still_falling())
    text +=
        tr(". The loss was still falling at the maximum rate: a higher maximum may find a "
           "better one.");
  return text;
}

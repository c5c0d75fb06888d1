#include "settings/schedule_editor.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QSignalBlocker>

namespace {

constexpr double kMaxEpochs = 100000;  // as cs::LrSchedule allows: a checkpoint's shows as it is

QDoubleSpinBox* epochSpin(const QString& name, double min) {
  auto* spin = new QDoubleSpinBox;
  spin->setObjectName(name);
  spin->setRange(min, kMaxEpochs);
  spin->setDecimals(2);
  spin->setSingleStep(1);
  spin->setSuffix(QObject::tr(" epochs"));
  return spin;
}

}  // namespace

ScheduleEditor::ScheduleEditor(QObject* parent)
    : QObject(parent),
      m_decay(new QComboBox),
      m_rateLabel(new QLabel),
      m_rate(new QDoubleSpinBox),
      m_epochsLabel(new QLabel),
      m_epochs(epochSpin(QStringLiteral("scheduleEpochs"), 0.1)),
      m_warmup(epochSpin(QStringLiteral("warmup"), 0)),
      m_note(new QLabel) {
  m_decay->setObjectName(QStringLiteral("lrDecay"));
  m_decay->addItem(tr("Constant"), static_cast<int>(cs::LrDecay::None));
  m_decay->addItem(tr("Step decay"), static_cast<int>(cs::LrDecay::Step));
  m_decay->addItem(tr("Exponential decay"), static_cast<int>(cs::LrDecay::Exponential));
  m_decay->addItem(tr("Cosine decay"), static_cast<int>(cs::LrDecay::Cosine));
  m_decay->setToolTip(tr("How the learning rate changes as training goes on"));
  m_rate->setObjectName(QStringLiteral("scheduleRate"));
  m_rate->setDecimals(4);
  m_rate->setSingleStep(0.05);
  m_rate->setPrefix(QStringLiteral("× "));
  m_warmup->setSpecialValueText(tr("none"));
  m_warmup->setToolTip(
      tr("The rate rises linearly from almost 0 over the first epochs, which steadies the start "
         "of training at high rates"));
  m_note->setObjectName(QStringLiteral("note"));
  m_note->setWordWrap(true);

  connect(m_decay, &QComboBox::currentIndexChanged, this, [this] {
    const QSignalBlocker b0(m_rate), b1(m_epochs);
    // Each decay's usual start: halve every epoch, ×0.9 an epoch, to 0 over the run.
    const cs::LrDecay d = decay();
    m_rate->setRange(d == cs::LrDecay::Cosine ? 0 : 0.0001, 1);
    m_rate->setValue(d == cs::LrDecay::Step ? 0.5 : d == cs::LrDecay::Cosine ? 0 : 0.9);
    m_epochs->setValue(d == cs::LrDecay::Cosine ? m_runEpochs : 1);
    showFields();
    m_given.reset();
    Q_EMIT changed();
  });
  for (QDoubleSpinBox* spin : {m_rate, m_epochs, m_warmup})
    connect(spin, &QDoubleSpinBox::valueChanged, this, [this] {
      m_given.reset();
      Q_EMIT changed();
    });
}

void ScheduleEditor::addRows(QFormLayout* form) {
  m_form = form;
  form->addRow(tr("LR schedule"), m_decay);
  form->addRow(m_rateLabel, m_rate);
  form->addRow(m_epochsLabel, m_epochs);
  form->addRow(tr("Warm-up"), m_warmup);
  form->addRow(QString(), m_note);
  showFields();
}

cs::LrDecay ScheduleEditor::decay() const {
  return static_cast<cs::LrDecay>(m_decay->currentData().toInt());
}

bool ScheduleEditor::owns(const QWidget* widget) const {
  for (const QWidget* field :
       std::initializer_list<const QWidget*>{m_decay, m_rate, m_epochs, m_warmup})
    if (widget == field || field->isAncestorOf(widget)) return true;
  return false;
}

cs::LrSchedule ScheduleEditor::schedule() const {
  if (m_given) return *m_given;
  cs::LrSchedule s;
  s.decay = decay();
  if (s.decay != cs::LrDecay::None) {
    s.epochs = static_cast<float>(m_epochs->value());
    s.rate = static_cast<float>(m_rate->value());
  }
  s.warmup = static_cast<float>(m_warmup->value());
  return s;
}

void ScheduleEditor::setSchedule(const cs::LrSchedule& s) {
  const QSignalBlocker b0(m_decay), b1(m_rate), b2(m_epochs), b3(m_warmup);
  m_decay->setCurrentIndex(std::max(0, m_decay->findData(static_cast<int>(s.decay))));
  m_rate->setRange(s.decay == cs::LrDecay::Cosine ? 0 : 0.0001, 1);
  m_rate->setValue(s.rate);
  m_epochs->setValue(s.epochs);
  m_warmup->setValue(s.warmup);
  m_given = s;
  showFields();
}

void ScheduleEditor::showFields() {
  const cs::LrDecay d = decay();
  if (m_form) {
    m_form->setRowVisible(m_rate, d != cs::LrDecay::None);
    m_form->setRowVisible(m_epochs, d != cs::LrDecay::None);
  }
  switch (d) {
    case cs::LrDecay::None:
      break;
    case cs::LrDecay::Step:
      m_rateLabel->setText(tr("Factor"));
      m_epochsLabel->setText(tr("Every"));
      m_rate->setToolTip(tr("The rate is multiplied by this once every so many epochs"));
      break;
    case cs::LrDecay::Exponential:
      m_rateLabel->setText(tr("Factor"));
      m_epochsLabel->setText(tr("Per"));
      m_rate->setToolTip(tr("The rate shrinks smoothly by this factor over so many epochs"));
      break;
    case cs::LrDecay::Cosine:
      m_rateLabel->setText(tr("Down to"));
      m_epochsLabel->setText(tr("Over"));
      m_rate->setToolTip(
          tr("The rate follows half a cosine down to this fraction of it over so many epochs, "
             "then stays there"));
      break;
  }
  m_epochs->setToolTip(m_rate->toolTip());
}

void ScheduleEditor::describeRun(double lr, long long firstStep, int lastEpoch,
                                 long long stepsPerEpoch) {
  m_runEpochs = std::max(1, lastEpoch);
  m_note->setText(rateRange(lr, schedule(), firstStep, lastEpoch, stepsPerEpoch));
  if (m_form) m_form->setRowVisible(m_note, !m_note->text().isEmpty());
}

QString ScheduleEditor::rateRange(double lr, const cs::LrSchedule& s, long long firstStep,
                                  int lastEpoch, long long stepsPerEpoch) {
  const long long last = static_cast<long long>(lastEpoch) * stepsPerEpoch;
  if (s.constant() || stepsPerEpoch < 1 || firstStep < 1 || last < firstStep) return {};
  const QLocale locale;
  const auto rate = [&](long long step) {
    return locale.toString(lr * s.factor(step, stepsPerEpoch), 'g', 3);
  };
  return (firstStep == 1 ? tr("%1 at the first step → %2 at the last (epoch %3)")
                         : tr("%1 at the next step → %2 at the last (epoch %3)"))
      .arg(rate(firstStep), rate(last))
      .arg(lastEpoch);
}

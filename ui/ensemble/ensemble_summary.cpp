#include "ensemble/ensemble_summary.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>
#include <algorithm>

#include "ensemble/ensemble_types.h"
#include "widgets/count_text.h"
#include "widgets/elided_label.h"
#include "widgets/note_label.h"
#include "widgets/store_time.h"

namespace {

// A figure with its caption above and a detail line below.
QFrame* card(const QString& caption, QLabel* value, QLabel* detail) {
  auto* frame = new QFrame;
  frame->setObjectName(QStringLiteral("statCard"));
  auto* top = new QLabel(caption);
  top->setObjectName(QStringLiteral("statCaption"));
  value->setObjectName(QStringLiteral("statValue"));
  detail->setObjectName(QStringLiteral("statDetail"));
  auto* layout = new QVBoxLayout(frame);
  layout->setContentsMargins(12, 8, 12, 8);
  layout->setSpacing(1);
  layout->addWidget(top);
  layout->addWidget(value);
  layout->addWidget(detail);
  return frame;
}

int argWhere(const std::vector<float>& values, bool highest) {
  const auto it = highest ? std::max_element(values.begin(), values.end())
                          : std::min_element(values.begin(), values.end());
  return static_cast<int>(it - values.begin());
}

}  // namespace

EnsembleSummary::EnsembleSummary(QWidget* parent)
    : QWidget(parent),
      m_title(new ElidedLabel),
      m_subtitle(new ElidedLabel),
      m_mean(new QLabel),
      m_min(new QLabel),
      m_max(new QLabel),
      m_vote(new QLabel),
      m_hard(new QLabel),
      m_meanDetail(new QLabel),
      m_minDetail(new QLabel),
      m_maxDetail(new QLabel),
      m_voteDetail(new QLabel),
      m_hardDetail(new QLabel),
      m_images(new NoteLabel),
      m_warning(new ElidedLabel) {
  m_warning->setObjectName(QStringLiteral("issue"));
  m_warning->hide();
  m_title->setObjectName(QStringLiteral("runTitle"));
  m_subtitle->setObjectName(QStringLiteral("note"));
  m_images->setWordWrap(true);
  m_images->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* cards = new QHBoxLayout;
  cards->setSpacing(8);
  cards->addWidget(card(tr("Mean accuracy ± std"), m_mean, m_meanDetail), 1);
  cards->addWidget(card(tr("Lowest network"), m_min, m_minDetail), 1);
  cards->addWidget(card(tr("Highest network"), m_max, m_maxDetail), 1);
  cards->addWidget(card(tr("Ensemble vote"), m_vote, m_voteDetail), 1);
  // "by any network" in the caption: the detail line was the page's widest text
  cards->addWidget(card(tr("Misclassified by any network"), m_hard, m_hardDetail), 1);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(4);
  layout->addWidget(m_title);
  layout->addWidget(m_subtitle);
  layout->addSpacing(4);
  layout->addLayout(cards);
  layout->addWidget(m_images);
  layout->addWidget(m_warning);
  setRun(nullptr);
}

QString EnsembleSummary::meanText() const {
  return m_mean->text();
}
QString EnsembleSummary::voteText() const {
  return m_vote->text();
}
QString EnsembleSummary::subtitle() const {
  return m_subtitle->text();
}
QString EnsembleSummary::imagesNote() const {
  return m_images->text();
}

void EnsembleSummary::setRun(const EnsembleRunPtr& run) {
  const bool have = run && run->hasPredictions();
  for (QLabel* label : {m_mean, m_min, m_max, m_vote, m_hard})
    if (!have) label->setText(QStringLiteral("–"));
  for (QLabel* label : {m_meanDetail, m_minDetail, m_maxDetail, m_voteDetail, m_hardDetail})
    if (!have) label->clear();
  if (!run) {
    m_title->setText(tr("No run selected"));
    m_subtitle->setText(tr("Choose a stored run on the left, or train a new ensemble."));
    m_images->hide();
    m_warning->hide();
    return;
  }
  const cs::RunInfo& info = run->info();
  const QLocale locale;
  m_title->setText(run->title());
  m_subtitle->setText(tr("%1 · %2/%3 epochs · %4 · %5 s of training on %6 (%7) · %8")
                          .arg(QString::fromStdString(cs::to_string(info.status)))
                          .arg(info.epochs_done)
                          .arg(info.setup.epochs)
                          .arg(store_time::full(QString::fromStdString(info.created)))
                          .arg(locale.toString(info.train_seconds, 'f', 1))
                          .arg(QString::fromStdString(info.setup.backend.kind),
                               QString::fromStdString(info.setup.backend.device),
                               info.setup.group.per_net_shuffle
                                   ? tr("each network its own sample order")
                                   : tr("one sample order for all networks")));
  if (info.sweep.sweep != 0)
    m_subtitle->setText(
        m_subtitle->text() +
        tr(" · configuration %1 of sweep %2").arg(info.sweep.config).arg(info.sweep.sweep));
  m_images->setNote(run->imagesNote(), run->imagesWarning());
  m_images->show();
  m_warning->setText(run->learningWarning());
  m_warning->setVisible(!m_warning->text().isEmpty());
  if (!have) {
    m_subtitle->setText(m_subtitle->text() + tr(" · no finished epoch yet"));
    return;
  }
  const cs::EnsembleStats& s = run->stats();
  // One network has no spread to show (its std is 0 by definition, not by agreement).
  m_mean->setText(s.nets < 2 ? percentText(s.mean_accuracy, 2)
                             : QStringLiteral("%1 ± %2")
                                   .arg(percentText(s.mean_accuracy, 2))
                                   .arg(QLocale().toString(100 * s.std_accuracy, 'f', 2)));
  m_meanDetail->setText(tr("over %1").arg(countText(s.nets, tr("network"), tr("networks"))));
  m_min->setText(percentText(s.min_accuracy, 2));
  m_minDetail->setText(tr("network %1").arg(argWhere(s.net_accuracy, false)));
  m_max->setText(percentText(s.max_accuracy, 2));
  m_maxDetail->setText(tr("network %1").arg(argWhere(s.net_accuracy, true)));
  m_vote->setText(percentText(s.vote_accuracy, 2));
  const double gain = 100 * (s.vote_accuracy - s.mean_accuracy);
  m_voteDetail->setText(tr("%1%2 points over the mean")
                            .arg(gain >= 0 ? QStringLiteral("+") : QString())
                            .arg(numberText(gain, 2)));
  int any = 0, all = 0, majority = 0;
  for (const cs::ImageStats& im : s.images) {
    any += im.wrong > 0;
    all += im.wrong == s.nets;
    majority += im.vote != im.label;
  }
  m_hard->setText(locale.toString(any));
  m_hardDetail->setText(
      tr("%1 by all · %2 by the vote").arg(locale.toString(all), locale.toString(majority)));
}

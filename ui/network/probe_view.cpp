#include "network/probe_view.h"

#include <QGridLayout>
#include <QLabel>
#include <QLocale>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStringList>
#include <algorithm>

#include "convscope/pixels.h"
#include "network/probability_bars.h"
#include "widgets/count_text.h"
#include "widgets/palette.h"
#include "widgets/planar_image.h"
#include "widgets/wrap_row_layout.h"

namespace {

constexpr int kImageSide = 112;
// The bars' height beside the image, and on a line of their own under it, where they are lower
// so that the layers below keep their room.
constexpr int kBarsBeside = 96;
constexpr int kBarsBelow = 60;
constexpr int kImageNamesKept = 4;

QImage probeImage(const cs::Snapshot& s) {
  const cs::Shape3 shape = s.input_shape;
  if (shape.size() <= 0 || s.input.size() != static_cast<size_t>(shape.size())) return {};
  return planarImage(cs::pixel_bytes(s.input.data(), s.input.size()).data(), shape);
}

}  // namespace

ProbeView::ProbeView(QWidget* parent)
    : QWidget(parent),
      m_image(new QLabel),
      m_index(new QSpinBox),
      m_details(new QLabel),
      m_bars(new ProbabilityBars) {
  m_image->setFixedSize(kImageSide + 2, kImageSide + 2);
  m_image->setObjectName(QStringLiteral("probeImage"));
  m_image->setAlignment(Qt::AlignCenter);
  m_index->setPrefix(QStringLiteral("#"));
  m_index->setRange(0, 0);
  m_index->setToolTip(
      tr("Validation image shown in every layer (or click one in the predictions)"));
  m_index->setKeyboardTracking(false);
  m_details->setObjectName(QStringLiteral("probeDetails"));
  m_details->setTextFormat(Qt::RichText);
  auto* caption = new QLabel(tr("Probe image"));
  caption->setObjectName(QStringLiteral("sectionTitle"));
  auto* summary = new QWidget;
  auto* grid = new QGridLayout(summary);
  grid->setContentsMargins(0, 0, 0, 0);
  grid->setHorizontalSpacing(12);
  grid->addWidget(m_image, 0, 0, 3, 1);
  grid->addWidget(caption, 0, 1);
  grid->addWidget(m_index, 0, 2, Qt::AlignLeft);
  grid->addWidget(m_details, 1, 1, 1, 2);
  grid->setRowStretch(2, 1);
  // The bars beside the summary where they have their width, else on a line below it.
  m_bars->setFixedHeight(kBarsBeside);
  m_row = new WrapRowLayout(12, 8, this);
  m_row->addWidget(summary);
  m_row->addWidget(m_bars);
  connect(m_index, &QSpinBox::valueChanged, this, [this](int index) {
    if (index >= 0) Q_EMIT probeRequested(index);
  });
  clear();
}

void ProbeView::setSnapshot(const cs::Snapshot& s) {
  // ImageProbe marks an image (the drawn digit) with probe -1; its label is the class predicted.
  const bool drawn = s.probe < 0;
  const ImageName name = imageName(s.probe);
  if (drawn)
    showImage(name.shortName);
  else
    setProbe(s.probe);
  const QImage image = probeImage(s);
  m_image->setPixmap(QPixmap::fromImage(
      image.scaled(kImageSide, kImageSide, Qt::KeepAspectRatio, Qt::FastTransformation)));
  // One fact a line, so that they fit the panel at 1366×768.
  QStringList lines{drawn ? name.name.toHtmlEscaped()
                          : tr("true label <b>%1</b>").arg(m_names.name(s.label).toHtmlEscaped())};
  if (!s.probs.empty()) {
    const auto best = std::max_element(s.probs.begin(), s.probs.end());
    const int predicted = static_cast<int>(best - s.probs.begin());
    lines << tr("predicted <b style='color:%1'>%2</b> (%3)")
                 .arg(palette::html(predicted == s.label ? palette::kRight : palette::kWrong))
                 .arg(m_names.name(predicted).toHtmlEscaped())
                 .arg(percentText(*best, 1));
  }
  // Named as the status bar names the run's position: epoch, then the global step (the steps
  // whose updates these weights include).
  lines << (drawn ? tr("loss %1 for that class") : tr("loss %1")).arg(s.loss, 0, 'g', 3)
        << tr("epoch %1 · step %2").arg(s.epoch + 1).arg(QLocale().toString(s.step));
  m_details->setText(lines.join(QStringLiteral("<br>")));
  m_bars->setProbabilities(s.probs, s.label);
}

void ProbeView::resizeEvent(QResizeEvent* event) {
  QWidget::resizeEvent(event);  // the layout has placed the bars by now
  m_bars->setFixedHeight(m_row->lineOf(m_bars) > 0 ? kBarsBelow : kBarsBeside);
}

void ProbeView::setClassNames(const ClassNames& names) {
  m_names = names;
  m_bars->setClassNames(names);
}

void ProbeView::setProbe(int index) {
  // Already shown: setting it again would rewrite the text, and a number being typed with it.
  if (m_index->minimum() == 0 && m_index->value() == index) return;
  const QSignalBlocker block(m_index);
  m_index->setSpecialValueText(QString());
  m_index->setMinimum(0);
  m_index->setValue(index);
}

void ProbeView::setImageName(int probe, const QString& name, const QString& shortName) {
  m_imageNames.insert(probe, {name, shortName});
  // Numbers go down from -1: the greatest is the oldest. A frame of the image before the last
  // may still be on its way; older ones are not.
  while (m_imageNames.size() > kImageNamesKept) m_imageNames.erase(std::prev(m_imageNames.end()));
}

ProbeView::ImageName ProbeView::imageName(int probe) const {
  return m_imageNames.value(probe, {tr("the drawn digit"), tr("drawn")});
}

void ProbeView::showImage(const QString& shortName) {
  // Already shown: as in setProbe(), a number being typed stays.
  if (m_index->minimum() == -1 && m_index->value() == -1 &&
      m_index->specialValueText() == shortName)
    return;
  const QSignalBlocker block(m_index);
  m_index->setSpecialValueText(shortName);  // shown for the minimum, -1 here
  m_index->setMinimum(-1);
  m_index->setValue(-1);
}

void ProbeView::setProbeCount(int count) {
  const QSignalBlocker block(m_index);
  m_index->setMaximum(std::max(0, count - 1));  // the minimum says whether the probe is drawn
}

void ProbeView::clear() {
  m_image->setPixmap({});
  m_image->setText(tr("no frame"));
  m_details->setText(tr("Press Start, or Step for one batch."));
  m_bars->setProbabilities({}, -1);
}

#include "charts/embedding_view.h"

#include <QChart>
#include <QComboBox>
#include <QCursor>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QScatterSeries>
#include <QSignalBlocker>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

#include "charts/chart_math.h"
#include "charts/chart_parts.h"
#include "charts/zoomable_chart_view.h"
#include "predictions/class_names.h"
#include "training/training_session.h"

namespace {

// A colour per class (Tableau 10), none of them the palette's right green or wrong red.
const QColor kClassColors[] = {{0x4e, 0x79, 0xa7}, {0xf2, 0x8e, 0x2b}, {0x9c, 0x75, 0x5f},
                               {0x76, 0xb7, 0xb2}, {0x8c, 0xd1, 0x7d}, {0xed, 0xc9, 0x48},
                               {0xb0, 0x7a, 0xa1}, {0xff, 0x9d, 0xa7}, {0x4b, 0x3f, 0x72},
                               {0xba, 0xb0, 0xac}};

int nextRequestId() {
  static std::atomic<int> id{0};
  return ++id;
}

QString percent(double share) {
  return QLocale().toString(100 * share, 'f', 0) + QLatin1Char('%');
}

}  // namespace

EmbeddingView::EmbeddingView(TrainingSession* session, QWidget* parent)
    : QWidget(parent),
      m_session(session),
      m_layer(new QComboBox),
      m_note(new QLabel),
      m_chart(new QChart),
      m_x(chart_parts::valueAxis(QString())),
      m_y(chart_parts::valueAxis(QString())) {
  setObjectName(QStringLiteral("embeddingView"));
  registerEmbeddingTypes();
  m_layer->setObjectName(QStringLiteral("layer"));
  m_layer->setToolTip(tr("The layer whose outputs are projected"));
  m_layer->addItem(tr("the layer before the output"), -1);
  m_note->setObjectName(QStringLiteral("note"));
  m_note->setWordWrap(true);
  m_note->setText(
      tr("Each dot a validation image, at its place on the two directions along which "
         "the layer's outputs vary most (principal components), coloured by its "
         "class."));
  m_chart->setTitle(tr("Embedding"));
  m_x->setTitleText(tr("component 1"));
  m_y->setTitleText(tr("component 2"));
  m_x->setVisible(false);  // until there is something to place
  m_y->setVisible(false);
  m_chart->addAxis(m_x, Qt::AlignBottom);
  m_chart->addAxis(m_y, Qt::AlignLeft);
  m_chart->legend()->setAlignment(Qt::AlignRight);
  m_view = new ZoomableChartView(m_chart);
  m_view->setMinimumHeight(ZoomableChartView::kMinHeight);
  m_view->addResetZoomAction();

  auto* row = new QHBoxLayout;
  row->setContentsMargins(8, 4, 8, 0);
  row->addWidget(new QLabel(tr("Layer")));
  row->addWidget(m_layer, 1);
  auto* noteRow = new QHBoxLayout;
  noteRow->setContentsMargins(8, 0, 8, 0);
  noteRow->addWidget(m_note);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addLayout(row);
  layout->addLayout(noteRow);
  layout->addWidget(m_view, 1);

  TrainingWorker* worker = session->worker();
  connect(worker, &TrainingWorker::embeddingComputed, this, &EmbeddingView::onComputed);
  // New weights to see: after every evaluation, and a new run's first.
  const auto changed = [this] {
    m_stale = true;
    if (isVisible()) refresh();
  };
  connect(worker, &TrainingWorker::evaluated, this, changed);
  connect(worker, &TrainingWorker::runStarted, this, changed);
  connect(m_layer, &QComboBox::currentIndexChanged, this, &EmbeddingView::refresh);
}

void EmbeddingView::showEvent(QShowEvent* event) {
  QWidget::showEvent(event);
  if (m_stale) refresh();
}

void EmbeddingView::refresh() {
  if (m_pending) {
    m_again = true;
    return;
  }
  EmbeddingRequest request;
  request.id = m_pending = nextRequestId();
  request.layer = m_layer->currentData().toInt();
  request.count = kImages;
  m_stale = false;
  m_session->invoke(&TrainingWorker::computeEmbedding, request);
}

void EmbeddingView::onComputed(const EmbeddingResult& result) {
  if (result.id != m_pending) return;  // another view's, or superseded
  m_pending = 0;
  if (!result.error.isEmpty()) {
    m_shown = EmbeddingResult{};
    m_note->setText(result.error);
  } else {
    m_shown = result;
    QStringList shown;
    for (int i = 1; i < m_layer->count(); ++i) shown << m_layer->itemText(i);
    if (shown != result.layerNames) {  // another network: its layers
      const QSignalBlocker block(m_layer);
      while (m_layer->count() > 1) m_layer->removeItem(1);
      for (int i = 0; i < result.layerNames.size(); ++i) m_layer->addItem(result.layerNames[i], i);
    }
    const QLocale locale;
    m_note->setText(tr("%1: %2 outputs of the first %3 validation images at step %4; the axes "
                       "hold %5 and %6 of their variance. Hover a dot for its image, click it "
                       "to make it the probe.")
                        .arg(result.layerNames.value(result.layer),
                             locale.toString(result.dimensions),
                             locale.toString(static_cast<int>(result.labels.size())),
                             locale.toString(result.step), percent(result.explained[0]),
                             percent(result.explained[1])));
  }
  draw();
  if (m_again) {
    m_again = false;
    refresh();
  }
}

void EmbeddingView::draw() {
  const ClassNames names = ClassNames::forDataset(m_shown.datasetName);
  int classes = 0;
  for (uint8_t label : m_shown.labels) classes = std::max(classes, label + 1);
  while (static_cast<int>(m_series.size()) < classes) {
    const int label = static_cast<int>(m_series.size());
    QScatterSeries* s = chart_parts::markerSeries(kClassColors[label % std::size(kClassColors)]);
    s->setMarkerSize(6);
    s->setBorderColor(Qt::transparent);
    m_chart->addSeries(s);
    s->attachAxis(m_x);
    s->attachAxis(m_y);
    connect(s, &QScatterSeries::hovered, this, [this, label](const QPointF& point, bool on) {
      const int image = on ? imageAt(label, point) : -1;
      if (image < 0) return QToolTip::hideText();
      const int predicted = m_shown.predicted[static_cast<size_t>(image)];
      const ClassNames names = ClassNames::forDataset(m_shown.datasetName);
      QToolTip::showText(
          QCursor::pos(),
          tr("#%1 · %2 · predicted %3").arg(image).arg(names.name(label), names.name(predicted)));
    });
    connect(s, &QScatterSeries::clicked, this, [this, label](const QPointF& point) {
      if (const int image = imageAt(label, point); image >= 0) Q_EMIT probeRequested(image);
    });
    m_series.push_back(s);
    m_images.emplace_back();
  }
  std::vector<QList<QPointF>> points(m_series.size());
  for (auto& images : m_images) images.clear();
  double lo[2] = {HUGE_VAL, HUGE_VAL}, hi[2] = {-HUGE_VAL, -HUGE_VAL};
  for (size_t i = 0; i < m_shown.labels.size(); ++i) {
    const QPointF p(m_shown.xy[i * 2], m_shown.xy[i * 2 + 1]);
    points[m_shown.labels[i]].append(p);
    m_images[m_shown.labels[i]].push_back(static_cast<int>(i));
    lo[0] = std::min(lo[0], p.x()), hi[0] = std::max(hi[0], p.x());
    lo[1] = std::min(lo[1], p.y()), hi[1] = std::max(hi[1], p.y());
  }
  for (size_t label = 0; label < m_series.size(); ++label) {
    m_series[label]->setName(names.name(static_cast<int>(label)));
    m_series[label]->setVisible(static_cast<int>(label) < classes);
    m_series[label]->replace(points[label]);
  }
  const bool empty = m_shown.labels.empty();
  m_x->setVisible(!empty);
  m_y->setVisible(!empty);
  if (m_view->isZoomed() || empty) return;
  QValueAxis* axes[2] = {m_x, m_y};
  for (int a = 0; a < 2; ++a) {
    const double pad = std::max(0.05 * (hi[a] - lo[a]), 1e-6);
    chart_math::setRoundRange(axes[a], lo[a] - pad, hi[a] + pad, 4);
  }
}

QList<QPointF> EmbeddingView::plotted(int label) const {
  return label >= 0 && label < static_cast<int>(m_series.size()) ? m_series[label]->points()
                                                                 : QList<QPointF>();
}

QString EmbeddingView::note() const {
  return m_note->text();
}

int EmbeddingView::imageAt(int label, QPointF point) const {
  if (label < 0 || label >= static_cast<int>(m_series.size())) return -1;
  const QList<QPointF> points = m_series[label]->points();
  int best = -1;
  double bestDistance = std::numeric_limits<double>::infinity();
  for (int i = 0; i < points.size(); ++i) {
    const QPointF d = points[i] - point;
    const double distance = d.x() * d.x() + d.y() * d.y();
    if (distance < bestDistance) bestDistance = distance, best = i;
  }
  return best < 0 ? -1 : m_images[static_cast<size_t>(label)][static_cast<size_t>(best)];
}

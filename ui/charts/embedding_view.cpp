#include "charts/embedding_view.h"

#include <QChart>
#include <QComboBox>
#include <QCursor>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QScatterSeries>
#include <QSignalBlocker>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <limits>

#include "charts/chart_math.h"
#include "charts/chart_parts.h"
#include "charts/zoomable_chart_view.h"
#include "export/save_file.h"
#include "training/training_session.h"
#include "training/view_refresh.h"
#include "widgets/count_text.h"
#include "widgets/file_dialogs.h"
#include "widgets/palette.h"

EmbeddingView::EmbeddingView(TrainingSession* session, QWidget* parent)
    : QWidget(parent),
      m_session(session),
      m_layer(new QComboBox),
      m_saveCsv(new QPushButton(tr("Save CSV…"))),
      m_note(new QLabel),
      m_chart(new QChart),
      m_x(chart_parts::valueAxis(QString())),
      m_y(chart_parts::valueAxis(QString())) {
  setObjectName(QStringLiteral("embeddingView"));
  registerEmbeddingTypes();
  m_layer->setObjectName(QStringLiteral("layer"));
  m_layer->setToolTip(tr("The layer whose outputs are projected"));
  m_layer->addItem(tr("the layer before the output"), -1);
  m_saveCsv->setObjectName(QStringLiteral("saveCsv"));
  m_saveCsv->setToolTip(
      tr("Save each image's number, label, prediction, place and the layer's outputs as CSV "
         "(for a t-SNE or UMAP elsewhere)"));
  m_saveCsv->setEnabled(false);
  connect(m_saveCsv, &QPushButton::clicked, this, &EmbeddingView::askSaveCsv);
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
  row->addWidget(m_saveCsv);
  auto* noteRow = new QHBoxLayout;
  noteRow->setContentsMargins(8, 0, 8, 0);
  noteRow->addWidget(m_note);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addLayout(row);
  layout->addLayout(noteRow);
  layout->addWidget(m_view, 1);

  m_refresh = new ViewRefresh(this, session->worker(), [this](int id) {
    EmbeddingRequest request;
    request.id = id;
    request.layer = m_requestedLayer = m_layer->currentData().toInt();
    request.count = kImages;
    m_session->invoke(&TrainingWorker::computeEmbedding, request);
  });
  connect(m_refresh, &ViewRefresh::cleared, this, &EmbeddingView::clear);
  connect(session->worker(), &TrainingWorker::embeddingComputed, this, &EmbeddingView::onComputed);
  connect(m_layer, &QComboBox::currentIndexChanged, this, &EmbeddingView::refresh);
}

void EmbeddingView::refresh() {
  m_refresh->refresh();
}

void EmbeddingView::clear() {
  m_shown = EmbeddingResult{};
  m_note->setText(tr("Train or load a network first."));
  draw();
}

void EmbeddingView::alignWithShown(EmbeddingResult& result) const {
  if (result.embedding.images != m_shown.embedding.images ||
      result.datasetName != m_shown.datasetName)
    return;
  for (size_t axis = 0; axis < 2; ++axis) {
    double agreement = 0;
    for (size_t row = 0; row < result.embedding.images.size(); ++row)
      agreement += double(result.embedding.projection.xy[row * 2 + axis]) *
                   m_shown.embedding.projection.xy[row * 2 + axis];
    if (agreement < 0)
      for (size_t row = 0; row < result.embedding.images.size(); ++row)
        result.embedding.projection.xy[row * 2 + axis] *= -1;
  }
}

void EmbeddingView::onComputed(const EmbeddingResult& answer) {
  if (!m_refresh->take(answer.id)) return;  // another view's, superseded, or of a cleared run
  if (!answer.error.isEmpty()) {
    m_shown = EmbeddingResult{};
    m_note->setText(answer.error);
  } else {
    EmbeddingResult result = answer;
    alignWithShown(result);
    m_shown = std::move(result);
    QStringList shown;
    for (int i = 1; i < m_layer->count(); ++i) shown << m_layer->itemText(i);
    if (shown != m_shown.layerNames) {  // another network: its layers, the one asked for chosen
      const QSignalBlocker block(m_layer);
      while (m_layer->count() > 1) m_layer->removeItem(1);
      for (int i = 0; i < m_shown.layerNames.size(); ++i)
        m_layer->addItem(m_shown.layerNames[i], i);
      m_layer->setCurrentIndex(m_requestedLayer < 0 ? 0 : m_shown.embedding.layer + 1);
    }
    const QLocale locale;
    const int count = static_cast<int>(m_shown.embedding.images.size());
    const QString which =
        count == m_shown.datasetCount
            ? tr("all %1 validation images").arg(locale.toString(count))
            : tr("%1 of the %2 validation images, spread evenly")
                  .arg(locale.toString(count), locale.toString(m_shown.datasetCount));
    m_note->setText(tr("%1: %2 outputs of %3 at step %4; the axes hold %5 and %6 of their "
                       "variance (%7 ms). Hover a dot for its image, click it to make it the "
                       "probe.")
                        .arg(m_shown.layerNames.value(m_shown.embedding.layer),
                             locale.toString(m_shown.embedding.dimensions), which,
                             locale.toString(m_shown.step),
                             percentText(m_shown.embedding.projection.explained[0], 0),
                             percentText(m_shown.embedding.projection.explained[1], 0))
                        .arg(std::lround(m_shown.milliseconds)));
    if (m_view->isZoomed()) m_chart->zoomReset();  // a new projection: other coordinates
  }
  draw();
}

void EmbeddingView::draw() {
  m_names = ClassNames::forDataset(m_shown.datasetName);
  int classes = 0;
  for (uint8_t label : m_shown.embedding.labels) classes = std::max(classes, label + 1);
  while (static_cast<int>(m_series.size()) < classes) {
    const int label = static_cast<int>(m_series.size());
    QScatterSeries* s = chart_parts::markerSeries(palette::category(label));
    s->setMarkerSize(6);
    s->setBorderColor(Qt::transparent);
    m_chart->addSeries(s);
    s->attachAxis(m_x);
    s->attachAxis(m_y);
    connect(s, &QScatterSeries::hovered, this, [this, label](const QPointF& point, bool on) {
      const int row = on ? rowAt(label, point) : -1;
      if (row < 0) return QToolTip::hideText();
      QToolTip::showText(
          QCursor::pos(),
          tr("#%1 · %2 · predicted %3")
              .arg(m_shown.embedding.images[static_cast<size_t>(row)])
              .arg(m_names.name(label),
                   m_names.name(m_shown.embedding.predicted[static_cast<size_t>(row)])));
    });
    connect(s, &QScatterSeries::clicked, this, [this, label](const QPointF& point) {
      if (const int image = imageAt(label, point); image >= 0) Q_EMIT probeRequested(image);
    });
    m_series.push_back(s);
    m_rows.emplace_back();
  }
  std::vector<QList<QPointF>> points(m_series.size());
  for (auto& rows : m_rows) rows.clear();
  double lo[2] = {HUGE_VAL, HUGE_VAL}, hi[2] = {-HUGE_VAL, -HUGE_VAL};
  for (size_t i = 0; i < m_shown.embedding.labels.size(); ++i) {
    const QPointF p(m_shown.embedding.projection.xy[i * 2],
                    m_shown.embedding.projection.xy[i * 2 + 1]);
    points[m_shown.embedding.labels[i]].append(p);
    m_rows[m_shown.embedding.labels[i]].push_back(static_cast<int>(i));
    lo[0] = std::min(lo[0], p.x()), hi[0] = std::max(hi[0], p.x());
    lo[1] = std::min(lo[1], p.y()), hi[1] = std::max(hi[1], p.y());
  }
  for (size_t label = 0; label < m_series.size(); ++label) {
    m_series[label]->setName(m_names.name(static_cast<int>(label)));
    m_series[label]->setVisible(static_cast<int>(label) < classes);
    m_series[label]->replace(points[label]);
  }
  const bool empty = m_shown.embedding.labels.empty();
  m_saveCsv->setEnabled(!empty);
  m_x->setVisible(!empty);
  m_y->setVisible(!empty);
  if (m_view->isZoomed() || empty) return;
  QValueAxis* axes[2] = {m_x, m_y};
  for (int a = 0; a < 2; ++a) {
    const double pad = std::max(0.05 * (hi[a] - lo[a]), 1e-6);
    chart_math::setRoundRange(axes[a], lo[a] - pad, hi[a] + pad, 4);
  }
}

bool EmbeddingView::saveCsv(const QString& path, QString* error) const {
  const QString csv = QString::fromStdString(embeddingCsv(m_shown));
  return saveText(
      path, [&csv](QTextStream& out) { out << csv; }, error);
}

void EmbeddingView::askSaveCsv() {
  const QString name =
      QStringLiteral("embedding-%1.csv").arg(m_shown.layerNames.value(m_shown.embedding.layer));
  const QString path = askSaveFileName(this, tr("Save embedding"), name, tr("CSV (*.csv)"));
  if (path.isEmpty()) return;
  QString error;
  if (!saveCsv(path, &error))
    QMessageBox::warning(this, tr("Export failed"), tr("Could not write %1: %2").arg(path, error));
}

QList<QPointF> EmbeddingView::plotted(int label) const {
  return label >= 0 && label < static_cast<int>(m_series.size()) ? m_series[label]->points()
                                                                 : QList<QPointF>();
}

QString EmbeddingView::note() const {
  return m_note->text();
}

int EmbeddingView::rowAt(int label, QPointF point) const {
  if (label < 0 || label >= static_cast<int>(m_series.size())) return -1;
  const QList<QPointF> points = m_series[label]->points();
  int best = -1;
  double bestDistance = std::numeric_limits<double>::infinity();
  for (int i = 0; i < points.size(); ++i) {
    const QPointF d = points[i] - point;
    const double distance = d.x() * d.x() + d.y() * d.y();
    if (distance < bestDistance) bestDistance = distance, best = i;
  }
  return best < 0 ? -1 : m_rows[static_cast<size_t>(label)][static_cast<size_t>(best)];
}

int EmbeddingView::imageAt(int label, QPointF point) const {
  const int row = rowAt(label, point);
  return row < 0 ? -1 : m_shown.embedding.images[static_cast<size_t>(row)];
}

#include "network/class_models_view.h"

#include <QComboBox>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QVBoxLayout>
#include <cmath>

#include "canvas/pixel_image_view.h"
#include "convscope/pixels.h"
#include "export/save_file.h"
#include "training/training_session.h"
#include "training/view_refresh.h"
#include "widgets/count_text.h"
#include "widgets/file_dialogs.h"
#include "widgets/planar_image.h"

namespace {

constexpr int kTileSide = 56;  // 28 x 2; the tiles grow into the room the tab has

QString percent(double p) {
  return percentText(p, p >= 0.995 || p < 0.1 ? 1 : 0);
}

// Columns for `units` images: the ten classes in two rows of five, a layer's channels eight wide.
int columnsFor(int units) {
  return units <= 10 ? 5 : 8;
}

}  // namespace

ClassModelsView::ClassModelsView(TrainingSession* session, QWidget* parent)
    : QWidget(parent),
      m_session(session),
      m_layer(new QComboBox),
      m_note(new QLabel),
      m_save(new QPushButton(tr("Save image…"))),
      m_grid(new QGridLayout) {
  setObjectName(QStringLiteral("classModelsView"));
  registerClassModelTypes();
  m_layer->setObjectName(QStringLiteral("layer"));
  m_layer->setToolTip(tr("The classes, or a layer whose channels are shown"));
  m_layer->addItem(tr("the classes"), -1);
  m_note->setObjectName(QStringLiteral("note"));
  m_note->setWordWrap(true);
  m_save->setObjectName(QStringLiteral("save"));
  m_save->setToolTip(tr("Save the images side by side as PNG"));
  m_save->setEnabled(false);
  connect(m_save, &QPushButton::clicked, this, &ClassModelsView::askSave);
  m_grid->setSpacing(6);

  auto* row = new QHBoxLayout;
  row->setContentsMargins(8, 4, 8, 0);
  row->addWidget(new QLabel(tr("Layer")));
  row->addWidget(m_layer, 1);
  row->addWidget(m_save);
  auto* note = new QHBoxLayout;
  note->setContentsMargins(8, 0, 8, 0);
  note->addWidget(m_note);
  auto* tiles = new QWidget;
  auto* tilesLayout = new QVBoxLayout(tiles);
  tilesLayout->setContentsMargins(8, 0, 8, 8);
  tilesLayout->addLayout(m_grid);
  tilesLayout->addStretch(1);
  auto* scroll = new QScrollArea;  // a dense layer's 128 units scroll
  scroll->setWidget(tiles);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  layout->addLayout(row);
  layout->addLayout(note);
  layout->addWidget(scroll, 1);

  m_refresh = new ViewRefresh(this, session->worker(), [this](int id) {
    ClassModelsRequest request;
    request.id = id;
    request.layer = m_layer->currentData().toInt();
    request.steps = kSteps;
    m_session->invoke(&TrainingWorker::computeClassModels, request);
  });
  connect(m_refresh, &ViewRefresh::cleared, this, &ClassModelsView::clear);
  connect(session->worker(), &TrainingWorker::classModelsComputed, this,
          &ClassModelsView::onComputed);
  connect(m_layer, &QComboBox::currentIndexChanged, this, &ClassModelsView::refresh);
  clear();
}

void ClassModelsView::refresh() {
  m_refresh->refresh();
}

void ClassModelsView::chooseLayer(int layer) {
  const int index = m_layer->findData(layer);
  if (index >= 0) m_layer->setCurrentIndex(index);
}

void ClassModelsView::clear() {
  m_shown = ClassModelsResult{};
  m_names = ClassNames();
  m_note->setText(tr("Train or load a network first."));
  showTiles();
}

void ClassModelsView::updateLayers() {
  // Another network: its hidden layers (not the output, the classes; not a dropout, which has its
  // input's channels), by name.
  QStringList shown, names;  // "2 fc1": a name at another index is another layer
  for (int i = 1; i < m_layer->count(); ++i)
    shown << QStringLiteral("%1 %2").arg(m_layer->itemData(i).toInt()).arg(m_layer->itemText(i));
  for (int layer : m_shown.hiddenLayers)
    names << QStringLiteral("%1 %2").arg(layer).arg(m_shown.layerNames.value(layer));
  if (names == shown) {
    if (m_shown.ofClasses && m_layer->currentIndex() != 0) {  // asked for a layer it has not
      const QSignalBlocker block(m_layer);
      m_layer->setCurrentIndex(0);
    }
    return;
  }
  const QSignalBlocker block(m_layer);
  while (m_layer->count() > 1) m_layer->removeItem(1);
  for (int layer : m_shown.hiddenLayers) m_layer->addItem(m_shown.layerNames.value(layer), layer);
  m_layer->setCurrentIndex(m_shown.ofClasses ? 0 : std::max(0, m_layer->findData(m_shown.layer)));
}

void ClassModelsView::onComputed(const ClassModelsResult& answer) {
  if (!m_refresh->take(answer.id)) return;  // another view's, superseded, or of a cleared run
  if (!answer.error.isEmpty()) {
    m_shown = ClassModelsResult{};
    m_note->setText(answer.error);
  } else {
    m_shown = answer;
    m_names = ClassNames::forDataset(m_shown.datasetName);  // read once per answer, not per image
    updateLayers();
    const QLocale locale;
    const QString how = tr("%1 steps of gradient ascent on the pixels from faint noise, kept "
                           "smooth (step %2 of training, %3 ms).")
                            .arg(kSteps)
                            .arg(locale.toString(m_shown.step))
                            .arg(std::lround(m_shown.milliseconds));
    m_note->setText(
        m_shown.ofClasses
            ? tr("For each class, the image the network scores highest as that class: %1 Under "
                 "each, the probability the network gives the class. Click an image to make it "
                 "the probe.")
                  .arg(how)
            : tr("For each of %1's %2 %3, the image it responds to most (its mean output): %4 "
                 "Hover an image for what the network makes of it; click it to make it the "
                 "probe.")
                  .arg(m_shown.layerNames.value(m_shown.layer))
                  .arg(m_shown.units())
                  .arg(m_shown.ofUnits ? tr("units") : tr("channels"), how));
  }
  showTiles();
}

void ClassModelsView::showTiles() {
  const int units = m_shown.units(), columns = columnsFor(units);
  if (columns != m_columns) {  // lay the tiles out anew
    for (size_t u = 0; u < m_tiles.size(); ++u) {
      m_grid->removeWidget(m_tiles[u]);
      m_grid->removeWidget(m_captions[u]);
      const int at = static_cast<int>(u);
      m_grid->addWidget(m_tiles[u], 2 * (at / columns), at % columns);
      m_grid->addWidget(m_captions[u], 2 * (at / columns) + 1, at % columns);
    }
    m_columns = columns;
  }
  while (static_cast<int>(m_tiles.size()) < units) {
    const int u = static_cast<int>(m_tiles.size());
    auto* tile = new PixelImageView(kTileSide);
    tile->setObjectName(QStringLiteral("classModel%1").arg(u));
    tile->setSquare(true);  // as wide as its column, its caption right under it
    tile->setCursor(Qt::PointingHandCursor);
    tile->installEventFilter(this);
    auto* caption = new QLabel;
    caption->setAlignment(Qt::AlignHCenter | Qt::AlignTop);
    caption->setWordWrap(true);  // "(taken for …)" on a line of its own where the tab is narrow
    m_grid->addWidget(tile, 2 * (u / columns), u % columns);
    m_grid->addWidget(caption, 2 * (u / columns) + 1, u % columns);
    m_tiles.push_back(tile);
    m_captions.push_back(caption);
  }
  for (size_t u = 0; u < m_tiles.size(); ++u) {
    const int at = static_cast<int>(u);
    const bool shown = at < units;
    m_tiles[u]->setVisible(shown);
    m_captions[u]->setVisible(shown);
    if (!shown) continue;
    m_tiles[u]->setImage(m_shown.image(at));
    m_tiles[u]->setToolTip(toolTip(at));
    m_captions[u]->setText(caption(at));
  }
  m_save->setEnabled(units > 0);
}

QImage ClassModelsView::image(int u) const {
  return u >= 0 && u < units() ? m_shown.image(u) : QImage();
}

QString ClassModelsView::caption(int u) const {
  if (u < 0 || u >= units()) return {};
  if (!m_shown.ofClasses)  // the channel; the rest in the tool tip
    return m_shown.score[size_t(u)] == 0 ? tr("%1 · silent").arg(u) : QString::number(u);
  const QString text = tr("%1 · %2").arg(m_names.name(u), percent(m_shown.probability[size_t(u)]));
  const int taken = m_shown.predicted[size_t(u)];
  return taken == u ? text : tr("%1 (taken for %2)").arg(text, m_names.name(taken));
}

QString ClassModelsView::toolTip(int u) const {
  if (u < 0 || u >= units()) return {};
  const QString taken = m_names.name(m_shown.predicted[size_t(u)]);
  if (m_shown.ofClasses)
    return tr("The image the network scores highest as %1 (logit %2); it gives %1 %3. Click "
              "to make it the probe.")
        .arg(m_names.name(u))
        .arg(double(m_shown.score[size_t(u)]), 0, 'g', 3)
        .arg(percent(m_shown.probability[size_t(u)]));
  const QString what = unitName(u);
  if (m_shown.score[size_t(u)] == 0)
    return tr("The ascent found nothing %1 responds to: it stays 0 from the faint noise on, a "
              "ReLU that is off there and gets no gradient. The network takes the image for %2 "
              "(%3).")
        .arg(what, taken, percent(m_shown.probability[size_t(u)]));
  return tr("The image %1 responds to most: its mean output %2. The network takes it for %3 "
            "(%4). Click to make it the probe.")
      .arg(what)
      .arg(double(m_shown.score[size_t(u)]), 0, 'g', 3)
      .arg(taken, percent(m_shown.probability[size_t(u)]));
}

QString ClassModelsView::unitName(int u) const {
  return (m_shown.ofUnits ? tr("unit %1 of %2") : tr("channel %1 of %2"))
      .arg(u)
      .arg(m_shown.layerNames.value(m_shown.layer));
}

QString ClassModelsView::note() const {
  return m_note->text();
}

QImage ClassModelsView::strip(int scale) const {
  const int n = units();
  if (n == 0) return {};
  cs::Shape3 shape;
  const std::vector<uint8_t> strip =
      cs::side_by_side(m_shown.pixels.data(), n, {m_shown.channels, m_shown.height, m_shown.width},
                       scale, scale, &shape);
  return planarImage(strip.data(), shape);
}

bool ClassModelsView::save(const QString& path, QString* error) const {
  return savePng(path, strip(4), error);
}

void ClassModelsView::askSave() {
  const QString name =
      m_shown.ofClasses
          ? QStringLiteral("class-models.png")
          : QStringLiteral("%1-channels.png").arg(m_shown.layerNames.value(m_shown.layer));
  const QString path = askSaveFileName(this, tr("Save images"), name, tr("PNG (*.png)"));
  if (path.isEmpty()) return;
  QString error;
  if (!save(path, &error))
    QMessageBox::warning(this, tr("Export failed"), tr("Could not write %1: %2").arg(path, error));
}

bool ClassModelsView::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() == QEvent::MouseButtonRelease)
    for (size_t u = 0; u < m_tiles.size(); ++u)
      if (watched == m_tiles[u] && static_cast<int>(u) < units()) {
        const int at = static_cast<int>(u);
        const QString name = m_shown.ofClasses
                                 ? tr("the class model of %1").arg(m_names.name(at))
                                 : tr("the image %1 responds to most").arg(unitName(at));
        m_session->setProbeImage(m_shown.bytes(at), name, tr("model"));
        return true;
      }
  return QWidget::eventFilter(watched, event);
}

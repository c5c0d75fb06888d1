#include "network/class_models_view.h"

#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QVBoxLayout>
#include <cmath>

#include "canvas/pixel_image_view.h"
#include "export/save_file.h"
#include "predictions/class_names.h"
#include "training/training_session.h"
#include "training/view_refresh.h"
#include "widgets/file_dialogs.h"

namespace {

constexpr int kTileSide = 56;  // 28 x 2; the tiles grow into the room the tab has

QString percent(double p) {
  return QLocale().toString(100 * p, 'f', p >= 0.995 || p < 0.1 ? 1 : 0) + QLatin1Char('%');
}

}  // namespace

ClassModelsView::ClassModelsView(TrainingSession* session, QWidget* parent)
    : QWidget(parent),
      m_session(session),
      m_note(new QLabel),
      m_save(new QPushButton(tr("Save image…"))),
      m_grid(new QGridLayout) {
  setObjectName(QStringLiteral("classModelsView"));
  registerClassModelTypes();
  m_note->setObjectName(QStringLiteral("note"));
  m_note->setWordWrap(true);
  m_save->setObjectName(QStringLiteral("save"));
  m_save->setToolTip(tr("Save the images side by side as PNG"));
  m_save->setEnabled(false);
  connect(m_save, &QPushButton::clicked, this, &ClassModelsView::askSave);
  m_grid->setSpacing(6);

  auto* note = new QHBoxLayout;
  note->setContentsMargins(8, 4, 8, 0);
  note->addWidget(m_note);
  auto* grid = new QHBoxLayout;
  grid->setContentsMargins(8, 0, 8, 0);
  grid->addLayout(m_grid, 1);
  auto* buttons = new QHBoxLayout;
  buttons->setContentsMargins(8, 0, 8, 0);
  buttons->addStretch(1);
  buttons->addWidget(m_save);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 8);
  layout->addLayout(note);
  layout->addLayout(grid);
  layout->addLayout(buttons);
  layout->addStretch(1);

  m_refresh = new ViewRefresh(this, session->worker(), [this](int id) {
    ClassModelsRequest request;
    request.id = id;
    request.steps = kSteps;
    m_session->invoke(&TrainingWorker::computeClassModels, request);
  });
  connect(m_refresh, &ViewRefresh::cleared, this, &ClassModelsView::clear);
  connect(session->worker(), &TrainingWorker::classModelsComputed, this,
          &ClassModelsView::onComputed);
  clear();
}

void ClassModelsView::refresh() {
  m_refresh->refresh();
}

void ClassModelsView::clear() {
  m_shown = ClassModelsResult{};
  m_note->setText(tr("Train or load a network first."));
  showTiles();
}

void ClassModelsView::onComputed(const ClassModelsResult& answer) {
  if (!m_refresh->take(answer.id)) return;  // another view's, superseded, or of a cleared run
  if (!answer.error.isEmpty()) {
    m_shown = ClassModelsResult{};
    m_note->setText(answer.error);
  } else {
    m_shown = answer;
    const QLocale locale;
    m_note->setText(tr("For each class, the image the network scores highest as that class: "
                       "%1 steps of gradient ascent on the pixels from faint noise, kept smooth "
                       "(step %2 of training, %3 ms). Under each, the probability the network "
                       "gives the class. Click an image to make it the probe.")
                        .arg(kSteps)
                        .arg(locale.toString(m_shown.step))
                        .arg(std::lround(m_shown.milliseconds)));
  }
  showTiles();
}

void ClassModelsView::showTiles() {
  const int classes = m_shown.classes();
  const ClassNames names = ClassNames::forDataset(m_shown.datasetName);
  while (static_cast<int>(m_tiles.size()) < classes) {
    const int c = static_cast<int>(m_tiles.size());
    auto* tile = new PixelImageView(kTileSide);
    tile->setObjectName(QStringLiteral("classModel%1").arg(c));
    tile->setSquare(true);  // as wide as its column, its caption right under it
    tile->setCursor(Qt::PointingHandCursor);
    tile->installEventFilter(this);
    auto* caption = new QLabel;
    caption->setAlignment(Qt::AlignHCenter | Qt::AlignTop);
    caption->setWordWrap(true);  // "(taken for …)" on a line of its own where the tab is narrow
    m_grid->addWidget(tile, 2 * (c / kColumns), c % kColumns);
    m_grid->addWidget(caption, 2 * (c / kColumns) + 1, c % kColumns);
    m_tiles.push_back(tile);
    m_captions.push_back(caption);
  }
  for (size_t c = 0; c < m_tiles.size(); ++c) {
    const bool shown = static_cast<int>(c) < classes;
    m_tiles[c]->setVisible(shown);
    m_captions[c]->setVisible(shown);
    if (!shown) continue;
    const int label = static_cast<int>(c);
    m_tiles[c]->setImage(m_shown.image(label));
    m_captions[c]->setText(caption(label));
    m_tiles[c]->setToolTip(tr("The image the network scores highest as %1; click to make it "
                              "the probe")
                               .arg(names.name(label)));
  }
  m_save->setEnabled(classes > 0);
}

QImage ClassModelsView::image(int c) const {
  return c >= 0 && c < classes() ? m_shown.image(c) : QImage();
}

QString ClassModelsView::caption(int c) const {
  if (c < 0 || c >= classes()) return {};
  const ClassNames names = ClassNames::forDataset(m_shown.datasetName);
  const QString text = tr("%1 · %2").arg(names.name(c), percent(m_shown.probability[size_t(c)]));
  const int taken = m_shown.predicted[size_t(c)];
  return taken == c ? text : tr("%1 (taken for %2)").arg(text, names.name(taken));
}

QString ClassModelsView::note() const {
  return m_note->text();
}

QImage ClassModelsView::strip(int scale) const {
  const int n = classes();
  if (n == 0) return {};
  const int w = m_shown.width * scale, h = m_shown.height * scale;
  QImage out(n * w + (n - 1) * scale, h, QImage::Format_RGB32);
  out.fill(QColor(128, 128, 128));
  QPainter painter(&out);
  painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
  for (int c = 0; c < n; ++c) painter.drawImage(QRect(c * (w + scale), 0, w, h), m_shown.image(c));
  return out;
}

bool ClassModelsView::save(const QString& path, QString* error) const {
  return savePng(path, strip(4), error);
}

void ClassModelsView::askSave() {
  const QString path = askSaveFileName(this, tr("Save class models"),
                                       QStringLiteral("class-models.png"), tr("PNG (*.png)"));
  if (path.isEmpty()) return;
  QString error;
  if (!save(path, &error))
    QMessageBox::warning(this, tr("Export failed"), tr("Could not write %1: %2").arg(path, error));
}

bool ClassModelsView::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() == QEvent::MouseButtonRelease)
    for (size_t c = 0; c < m_tiles.size(); ++c)
      if (watched == m_tiles[c] && static_cast<int>(c) < classes()) {
        const QString name = ClassNames::forDataset(m_shown.datasetName).name(int(c));
        m_session->setProbeImage(m_shown.bytes(static_cast<int>(c)),
                                 tr("the class model of %1").arg(name), tr("model"));
        return true;
      }
  return QWidget::eventFilter(watched, event);
}

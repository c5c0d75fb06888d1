#include "canvas/saliency_view.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSlider>
#include <algorithm>

#include "canvas/pixel_image_view.h"
#include "canvas/saliency_image.h"
#include "export/save_file.h"
#include "training/training_session.h"
#include "widgets/count_text.h"
#include "widgets/file_dialogs.h"

namespace {

constexpr int kPredicted = -1, kTrue = -2;

}  // namespace

SaliencyView::SaliencyView(TrainingSession* session, QWidget* parent)
    : QWidget(parent),
      m_session(session),
      m_source(new QComboBox),
      m_method(new QComboBox),
      m_target(new QComboBox),
      m_camLayerLabel(new QLabel(tr("Layer"))),
      m_camLayer(new QComboBox),
      m_opacity(new QSlider(Qt::Horizontal)),
      m_view(new PixelImageView(224)),
      m_caption(new QLabel),
      m_refresh(new QPushButton(tr("Refresh"))),
      m_export(new QPushButton(tr("Export PNG…"))) {
  setObjectName(QStringLiteral("saliencyView"));
  registerCanvasTypes();
  m_source->addItem(tr("Drawn digit"), static_cast<int>(Source::Drawing));
  m_source->addItem(tr("Probe image"), static_cast<int>(Source::Probe));
  m_method->addItem(tr("Vanilla gradient"), static_cast<int>(cs::SaliencyMethod::Vanilla));
  m_method->addItem(tr("SmoothGrad"), static_cast<int>(cs::SaliencyMethod::SmoothGrad));
  m_method->addItem(tr("Integrated Gradients"),
                    static_cast<int>(cs::SaliencyMethod::IntegratedGradients));
  m_method->addItem(tr("Occlusion"), static_cast<int>(cs::SaliencyMethod::Occlusion));
  m_method->addItem(tr("Grad-CAM"), static_cast<int>(cs::SaliencyMethod::GradCam));
  m_method->setToolTip(
      tr("Vanilla: |d score / d pixel|. SmoothGrad: averaged over 50 noisy copies. Integrated "
         "Gradients: signed, along 50 steps from a black image (red for, blue against). "
         "Occlusion: how much the class's probability falls when a 5×5 square around the pixel "
         "is blacked out (red: it falls, blue: it rises); no gradients. Grad-CAM: a layer's "
         "maps, each weighted by the class score's mean gradient over it, resized to the "
         "input."));
  m_camLayer->setObjectName(QStringLiteral("camLayer"));
  m_camLayer->addItem(tr("last convolution"), -1);
  m_camLayer->setToolTip(
      tr("The layer whose maps Grad-CAM weighs: a late one knows the classes "
         "best, an early one is sharper"));
  setClassNames({});
  m_opacity->setRange(0, 100);
  m_opacity->setValue(70);
  m_opacity->setToolTip(tr("Opacity of the map over the input"));
  m_caption->setWordWrap(true);
  m_caption->setObjectName(QStringLiteral("note"));
  m_view->setPlaceholder(tr("Draw a digit, or choose the probe image"));
  m_export->setEnabled(false);
  m_refresh->setToolTip(tr("Compute the map again with the network's current weights"));

  auto* grid = new QGridLayout(this);
  grid->setContentsMargins(8, 6, 8, 6);
  grid->addWidget(new QLabel(tr("Image")), 0, 0);
  grid->addWidget(m_source, 0, 1);
  grid->addWidget(new QLabel(tr("Method")), 1, 0);
  grid->addWidget(m_method, 1, 1);
  grid->addWidget(m_camLayerLabel, 2, 0);
  grid->addWidget(m_camLayer, 2, 1);
  grid->addWidget(new QLabel(tr("Class")), 3, 0);
  grid->addWidget(m_target, 3, 1);
  grid->addWidget(new QLabel(tr("Opacity")), 4, 0);
  grid->addWidget(m_opacity, 4, 1);
  grid->addWidget(m_caption, 5, 0, 1, 2);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(m_refresh);
  buttons->addWidget(m_export);
  grid->addLayout(buttons, 6, 0, 1, 2);
  grid->setRowStretch(7, 1);
  grid->addWidget(m_view, 0, 2, 8, 1);
  showCamLayer();
  grid->setColumnStretch(2, 1);

  const auto changed = [this] { send(); };
  connect(m_source, &QComboBox::currentIndexChanged, this, changed);
  connect(m_method, &QComboBox::currentIndexChanged, this, changed);
  connect(m_method, &QComboBox::currentIndexChanged, this, &SaliencyView::showCamLayer);
  connect(m_camLayer, &QComboBox::currentIndexChanged, this, [this] {
    if (gradCam()) send();
  });
  connect(m_target, &QComboBox::currentIndexChanged, this, changed);
  connect(m_opacity, &QSlider::valueChanged, this, &SaliencyView::redraw);
  connect(m_refresh, &QPushButton::clicked, this, &SaliencyView::refresh);
  connect(m_export, &QPushButton::clicked, this, &SaliencyView::exportAs);
  connect(session->worker(), &TrainingWorker::saliencyComputed, this, &SaliencyView::onComputed);
  connect(session, &TrainingSession::snapshotReady, this, &SaliencyView::onSnapshot);
  // A run started, paused or ended, or a checkpoint loaded: a map of another network (the first,
  // where there was none yet).
  connect(session, &TrainingSession::stateChanged, this, &SaliencyView::refresh);
}

void SaliencyView::setSource(Source source) {
  m_source->setCurrentIndex(m_source->findData(static_cast<int>(source)));
}

void SaliencyView::setMethod(cs::SaliencyMethod method) {
  m_method->setCurrentIndex(m_method->findData(static_cast<int>(method)));
}

void SaliencyView::setCamLayer(int layer) {
  m_camLayer->setCurrentIndex(std::max(0, m_camLayer->findData(layer)));
}

bool SaliencyView::gradCam() const {
  return static_cast<cs::SaliencyMethod>(m_method->currentData().toInt()) ==
         cs::SaliencyMethod::GradCam;
}

void SaliencyView::showCamLayer() {
  m_camLayerLabel->setVisible(gradCam());
  m_camLayer->setVisible(gradCam());
}

void SaliencyView::updateCamLayers(const SaliencyResult& r) {
  if (!r.network) return;  // no network yet: keep the choice
  std::vector<int> shown;
  QStringList shownNames;
  for (int i = 1; i < m_camLayer->count(); ++i) {
    shown.push_back(m_camLayer->itemData(i).toInt());
    shownNames << m_camLayer->itemText(i);
  }
  const int defaultAt = static_cast<int>(
      std::find(r.camLayers.begin(), r.camLayers.end(), r.defaultCamLayer) - r.camLayers.begin());
  const QString first = defaultAt < r.camLayerNames.size()
                            ? tr("last convolution (%1)").arg(r.camLayerNames[defaultAt])
                            : tr("last convolution");
  if (shown == r.camLayers && shownNames == r.camLayerNames && m_camLayer->itemText(0) == first)
    return;
  const int current = m_camLayer->currentData().toInt();
  const QSignalBlocker block(m_camLayer);
  m_camLayer->clear();
  m_camLayer->addItem(first, -1);
  for (size_t i = 0; i < r.camLayers.size(); ++i)
    m_camLayer->addItem(r.camLayerNames.value(static_cast<int>(i)), r.camLayers[i]);
  m_camLayer->setCurrentIndex(std::max(0, m_camLayer->findData(current)));
  // A layer this network lacks (another run's): its default, computed next.
  if (m_camLayer->currentData().toInt() != current && gradCam()) m_dirty = true;
}

void SaliencyView::setTargetClass(int target) {
  m_target->setCurrentIndex(std::max(0, m_target->findData(target)));
}

void SaliencyView::setOpacity(double opacity) {
  m_opacity->setValue(static_cast<int>(std::clamp(opacity, 0.0, 1.0) * 100 + 0.5));
}

void SaliencyView::setClassNames(const ClassNames& names) {
  m_names = names;
  const int current = m_target->currentIndex() < 0 ? kPredicted : m_target->currentData().toInt();
  const QSignalBlocker block(m_target);
  m_target->clear();
  m_target->addItem(tr("Predicted"), kPredicted);
  m_target->addItem(tr("True label (probe)"), kTrue);
  for (int c = 0; c < 10; ++c) m_target->addItem(names.name(c), c);
  m_target->setCurrentIndex(std::max(0, m_target->findData(current)));
}

void SaliencyView::setDrawnDigit(const std::vector<float>& image) {
  m_drawn = image;
  if (static_cast<Source>(m_source->currentData().toInt()) == Source::Drawing) send();
}

void SaliencyView::refresh() {
  send();
}

void SaliencyView::onSnapshot() {
  // Paused or stopped, a frame comes with new weights (a Step, a checkpoint loaded, Rewind to
  // best, which leave the state as it was): map them. While training, only another probe image.
  if (m_session->state() != TrainingState::Running) return send();
  if (static_cast<Source>(m_source->currentData().toInt()) != Source::Probe) return;
  const SnapshotPtr& s = m_session->latestSnapshot();
  if (s && s->input != m_probeInput) send();  // another probe image; same image: Refresh
}

std::vector<float> SaliencyView::sourceImage(int* label) const {
  *label = -1;
  if (static_cast<Source>(m_source->currentData().toInt()) == Source::Drawing) return m_drawn;
  const SnapshotPtr& s = m_session->latestSnapshot();
  if (!s) return {};
  if (s->probe >= 0) *label = s->label;  // a validation image's frame
  return s->input;
}

void SaliencyView::send() {
  if (m_inFlight >= 0) {
    m_dirty = true;
    return;
  }
  m_dirty = false;
  SaliencyRequest request;
  int label = -1;
  request.image = sourceImage(&label);
  if (static_cast<Source>(m_source->currentData().toInt()) == Source::Probe)
    m_probeInput = request.image;
  if (request.image.empty()) {
    m_result = {};
    m_view->setImage({});
    m_view->setPlaceholder(static_cast<Source>(m_source->currentData().toInt()) == Source::Drawing
                               ? tr("Draw a digit in the canvas")
                               : tr("No probe image yet: start or step a run"));
    m_caption->clear();
    m_export->setEnabled(false);
    return;
  }
  request.options.method = static_cast<cs::SaliencyMethod>(m_method->currentData().toInt());
  request.options.layer = m_camLayer->currentData().toInt();
  const int target = m_target->currentData().toInt();
  if (target == kTrue && label >= 0) {
    request.options.target = cs::SaliencyTarget::True;
    request.options.label = label;
  } else if (target >= 0) {
    request.options.target = cs::SaliencyTarget::Index;
    request.options.index = target;
  }
  request.id = m_inFlight = nextRequestId();
  m_session->invoke(&TrainingWorker::computeSaliency, request);
}

void SaliencyView::onComputed(const SaliencyResult& result) {
  if (result.id != m_inFlight) return;
  m_inFlight = -1;
  m_result = result;
  updateCamLayers(result);
  redraw();
  Q_EMIT computed(result);
  if (m_dirty) send();
}

void SaliencyView::redraw() {
  const SaliencyResult& r = m_result;
  m_export->setEnabled(!r.map.values.empty());
  if (r.map.values.empty()) {
    m_view->setImage({});
    m_view->setPlaceholder(r.error);
    m_caption->setText(r.error);
    return;
  }
  m_view->setImage(SaliencyImage::overlay(r.image, r.map, m_opacity->value() / 100.0));
  const int predicted =
      r.probs.empty()
          ? -1
          : static_cast<int>(std::max_element(r.probs.begin(), r.probs.end()) - r.probs.begin());
  const QLocale locale;  // the numbers as the rest of the app writes them
  QString text =
      tr("Explains <b>%1</b> (score %2) · predicted %3 (%4) · %5 ms")
          .arg(m_names.name(r.map.target_class).toHtmlEscaped(),
               locale.toString(r.map.logit, 'f', 2), m_names.name(predicted).toHtmlEscaped(),
               percentText(predicted >= 0 ? r.probs[predicted] : 0.f, 1),
               locale.toString(r.milliseconds, 'f', r.milliseconds < 1 ? 2 : 0));
  if (r.method == cs::SaliencyMethod::Occlusion) {
    // A pixel's value: the mean fall of p(class) over the squares that hide it.
    const auto [low, high] = std::minmax_element(r.map.values.begin(), r.map.values.end());
    text += tr("<br>red: hidden, it lowers p(%1) = %2, by up to %3 points · blue: raises it, "
               "by up to %4 points")
                .arg(m_names.name(r.map.target_class).toHtmlEscaped(),
                     percentText(r.map.probability, 1),
                     locale.toString(std::max(0.f, *high) * 100, 'f', 1),
                     locale.toString(std::max(0.f, -*low) * 100, 'f', 1));
  } else if (r.method == cs::SaliencyMethod::GradCam) {
    const auto at = std::find(r.camLayers.begin(), r.camLayers.end(), r.map.layer);
    const QString layer = r.camLayerNames.value(static_cast<int>(at - r.camLayers.begin()));
    const bool none =
        std::all_of(r.map.values.begin(), r.map.values.end(), [](float v) { return v == 0.f; });
    text += none ? tr("<br>%1's weighted maps are ≤ 0 everywhere: nothing there speaks for "
                      "the class")
                       .arg(layer)
                 : tr("<br>%1's maps weighted by their mean gradient").arg(layer);
  } else if (r.map.is_signed) {
    text += tr("<br>red: for the class · blue: against it");
  }
  m_caption->setText(text);
}

QImage SaliencyView::exportImage() const {
  if (m_result.map.values.empty()) return {};
  return SaliencyImage::sideBySide(m_result.image, m_result.map, kExportScale);
}

bool SaliencyView::exportPng(const QString& path, QString* error) const {
  const QImage image = exportImage();
  if (image.isNull()) {
    *error = tr("There is no saliency map to export yet.");
    return false;
  }
  return savePng(path, image, error);
}

void SaliencyView::exportAs() {
  const QString path = askSaveFileName(this, tr("Export saliency map"),
                                       QStringLiteral("saliency.png"), tr("PNG image (*.png)"));
  if (path.isEmpty()) return;
  QString error;
  if (!exportPng(path, &error))
    QMessageBox::warning(this, tr("Could not export the saliency map"), error);
}

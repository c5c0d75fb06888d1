#include "canvas/canvas_panel.h"

#include <QGridLayout>
#include <QImageReader>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

#include "canvas/digit_canvas.h"
#include "canvas/digit_input.h"
#include "canvas/digit_predictor.h"
#include "canvas/pixel_image_view.h"
#include "canvas/top_predictions.h"
#include "training/training_session.h"
#include "widgets/file_dialogs.h"

namespace {

constexpr int kRenderSide = 280;  // the drawing is preprocessed at this size

}  // namespace

CanvasPanel::CanvasPanel(TrainingSession* session, QWidget* parent)
    : QWidget(parent),
      m_session(session),
      m_canvas(new DigitCanvas),
      m_preview(new PixelImageView(112)),
      m_top(new TopPredictions),
      m_status(new QLabel),
      m_useAsProbe(new QPushButton(tr("Use as probe"))),
      m_predictor(new DigitPredictor(session, this)) {
  setObjectName(QStringLiteral("canvasPanel"));
  m_preview->setObjectName(QStringLiteral("digitPreview"));
  m_preview->setPlaceholder(tr("28×28 input"));
  m_preview->setToolTip(
      tr("What the network sees: inverted if dark on light, cropped, fitted to 20×20 and "
         "centred by mass in 28×28, as MNIST was made"));
  m_status->setObjectName(QStringLiteral("note"));
  m_status->setWordWrap(true);
  m_top->setProbabilities({}, tr("Draw a digit"));
  m_useAsProbe->setToolTip(tr("Show every layer's activations and gradients for this drawing"));
  m_useAsProbe->setEnabled(false);

  const DigitCanvas::EditButtons edit = m_canvas->createEditButtons(this);
  auto* load = new QPushButton(tr("Load image…"));
  load->setToolTip(tr("A PNG or JPEG of a handwritten digit, e.g. a photo"));

  auto* inputCaption = new QLabel(tr("Network input"));
  inputCaption->setObjectName(QStringLiteral("sectionTitle"));
  auto* topCaption = new QLabel(tr("Prediction"));
  topCaption->setObjectName(QStringLiteral("sectionTitle"));
  auto* buttons = new QGridLayout;
  buttons->addWidget(edit.clear, 0, 0);
  buttons->addWidget(edit.undo, 0, 1);
  buttons->addWidget(load, 1, 0);
  buttons->addWidget(m_useAsProbe, 1, 1);
  auto* side = new QVBoxLayout;
  side->addWidget(inputCaption);
  side->addWidget(m_preview, 0, Qt::AlignLeft);
  side->addWidget(topCaption);
  side->addWidget(m_top);
  side->addWidget(m_status);
  side->addStretch(1);
  side->addLayout(buttons);
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(8, 6, 8, 6);
  layout->addWidget(m_canvas, 3);
  layout->addLayout(side, 2);

  connect(m_canvas, &DigitCanvas::changed, this, &CanvasPanel::onDrawingChanged);
  connect(load, &QPushButton::clicked, this, &CanvasPanel::chooseImage);
  connect(m_useAsProbe, &QPushButton::clicked, this, &CanvasPanel::useAsProbe);
  connect(m_predictor, &DigitPredictor::predicted, this, &CanvasPanel::onPredicted);
  // The network trains on: the same drawing gets a new answer with each frame.
  connect(session, &TrainingSession::snapshotReady, this, &CanvasPanel::predictAgain);
  connect(session, &TrainingSession::stateChanged, this, &CanvasPanel::predictAgain);
}

void CanvasPanel::setClassNames(const ClassNames& names) {
  m_top->setClassNames(names);
}

void CanvasPanel::onDrawingChanged() {
  QString error;
  try {
    m_digit = DigitInput::preprocess(m_canvas->render(kRenderSide));
  } catch (const std::exception& e) {
    m_digit = {};
    error = QString::fromUtf8(e.what());
  }
  m_input = DigitInput::toFloats(m_digit);
  m_useAsProbe->setEnabled(!m_input.empty());
  if (m_input.empty()) {
    m_preview->setImage({});
    m_top->setProbabilities({}, tr("Draw a digit"));
    m_status->setText(error);  // said, or cleared with the drawing
  } else {
    m_preview->setImage(DigitInput::toImage(m_input.data(), cs::kDigitSide, cs::kDigitSide));
    m_predictor->request(m_input);
  }
  Q_EMIT inputChanged(m_input);
}

void CanvasPanel::predictAgain() {
  // Not while behind another tab (Qt keeps such a dock "visible", out of sight).
  if (!m_input.empty() && !visibleRegion().isEmpty() && !m_predictor->busy())
    m_predictor->request(m_input);
}

void CanvasPanel::onPredicted(const DigitPrediction& prediction) {
  m_prediction = prediction;
  if (m_input.empty()) return;  // cleared since
  if (!prediction.error.isEmpty()) {
    m_top->setProbabilities({}, prediction.error);
    m_status->clear();
  } else {
    m_top->setProbabilities(prediction.probs);
    m_status->setText(tr("%1 ms per prediction on the %2 backend")
                          .arg(prediction.milliseconds, 0, 'f', prediction.milliseconds < 1 ? 2 : 1)
                          .arg(m_session->backendReport().kind));
  }
  Q_EMIT predicted(prediction);
}

void CanvasPanel::useAsProbe() {
  if (m_input.empty()) return;
  m_session->setProbeImage(DigitInput::toBytes(m_digit), tr("the drawn digit"), tr("drawn"));
  Q_EMIT probeImageSet();
}

bool CanvasPanel::loadImage(const QString& path, QString* error) {
  QImageReader reader(path);
  reader.setAutoTransform(true);  // a phone photo's EXIF orientation
  const QImage image = reader.read();
  if (image.isNull()) {
    *error = tr("%1 could not be read as an image (%2).").arg(path, reader.errorString());
    return false;
  }
  m_canvas->setImage(image);
  if (m_digit.blank()) *error = tr("No digit found in %1: the image has no contrast.").arg(path);
  return !m_digit.blank();
}

void CanvasPanel::chooseImage() {
  const QString path = askOpenFileName(this, tr("Load an image of a digit"),
                                       tr("Images (*.png *.jpg *.jpeg *.pgm *.bmp)"));
  if (path.isEmpty()) return;
  QString error;
  if (!loadImage(path, &error)) QMessageBox::warning(this, tr("Load image"), error);
}

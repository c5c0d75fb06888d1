#include "canvas/digit_predictor.h"

#include "training/training_session.h"

DigitPredictor::DigitPredictor(TrainingSession* session, QObject* parent)
    : QObject(parent), m_session(session) {
  registerCanvasTypes();
  connect(session->worker(), &TrainingWorker::digitPredicted, this, &DigitPredictor::onPredicted);
}

void DigitPredictor::request(std::vector<float> image) {
  m_pending = std::move(image);
  m_hasPending = true;
  if (!busy()) send();
}

void DigitPredictor::send() {
  m_hasPending = false;
  m_inFlight = nextRequestId();
  ++m_sent;
  m_session->invoke(&TrainingWorker::predictDigit, m_inFlight, std::move(m_pending));
  m_pending = {};
}

void DigitPredictor::onPredicted(const DigitPrediction& prediction) {
  if (prediction.id != m_inFlight) return;  // another predictor's
  m_inFlight = -1;
  Q_EMIT predicted(prediction);
  if (m_hasPending) send();
}

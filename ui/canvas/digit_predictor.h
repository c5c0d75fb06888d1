// Live prediction of a drawing without a queue: at most one request is with the training worker
// at a time, and while it is, only the newest drawing waits (each new one replaces it). So a
// fast-moving stroke never piles up work, and the last drawing is always predicted.
#pragma once

#include <QObject>
#include <vector>

#include "canvas/canvas_types.h"

class TrainingSession;

class DigitPredictor : public QObject {
  Q_OBJECT

 public:
  explicit DigitPredictor(TrainingSession* session, QObject* parent = nullptr);

  // Predicts `image` ((1, 28, 28) in [0, 1]) as soon as the worker is free.
  void request(std::vector<float> image);
  bool busy() const { return m_inFlight >= 0; }
  int requestsSent() const { return m_sent; }

 Q_SIGNALS:
  void predicted(const DigitPrediction& prediction);

 private:
  void send();
  void onPredicted(const DigitPrediction& prediction);

  TrainingSession* m_session;
  std::vector<float> m_pending;
  bool m_hasPending = false;
  int m_inFlight = -1;  // the id of the request with the worker, or -1
  int m_sent = 0;
};

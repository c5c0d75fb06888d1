// The UI-thread side of training: owns the worker and its QThread, and polls the backend's
// snapshot exchange from a timer. Commands go to the worker as queued calls through invoke();
// the worker's signals are connected to directly (worker(): queued, as it lives on its thread).
// The session keeps only what the UI asks synchronously: the state, the backend, the probe and
// the newest frame.
// Nothing here waits on training: the exchange is lock-free and every call returns at once. The
// UI never holds the backend; only its exchange, which the worker keeps alive until released.
#pragma once

#include <QObject>
#include <QThread>
#include <QTimer>

#include "training/training_types.h"
#include "training/training_worker.h"

class TrainingSession : public QObject {
  Q_OBJECT

 public:
  static constexpr int kFrameRateHz = 10;  // live enough; each frame repaints every visible tile

  explicit TrainingSession(QObject* parent = nullptr);
  ~TrainingSession() override;

  // For connecting to its signals only; call its slots through invoke().
  TrainingWorker* worker() const { return m_worker; }
  // Queues worker->command(args...) on the training thread and ends the chunk it is training,
  // so that the command is handled at once: invoke(&TrainingWorker::pause). invokeAndWait() returns
  // once the worker has run it: for a shutdown that cannot wait for the event loop (a termination
  // signal's save); the worker never waits on this thread.
  template <typename... Params, typename... Args>
  void invoke(void (TrainingWorker::*command)(Params...), Args... args) {
    post(Qt::QueuedConnection, command, args...);
  }
  template <typename... Params, typename... Args>
  void invokeAndWait(void (TrainingWorker::*command)(Params...), Args... args) {
    post(Qt::BlockingQueuedConnection, command, args...);
  }

  TrainingState state() const { return m_state; }
  bool hasRun() const { return m_state != TrainingState::Idle; }
  // The newest frame shown (null before the first).
  const SnapshotPtr& latestSnapshot() const { return m_latest; }
  const BackendReport& backendReport() const { return m_backendReport; }
  int probe() const { return m_probe; }
  void setProbe(int index);
  // The probe becomes a (C, H, W) byte image until the next setProbe(): the drawn digit, a class
  // model. Each such image gets its own negative probe number (-1, -2, ...), which its frames
  // carry as Snapshot::probe, so that a frame taken of the image before is still named as that
  // one. The probe view calls it `name` ("the drawn digit") and its index box `shortName`
  // ("drawn"): probeImageNamed().
  void setProbeImage(const std::vector<uint8_t>& image, const QString& name,
                     const QString& shortName);
  bool probeIsImage() const { return m_probeIsImage; }

 Q_SIGNALS:
  // Re-emitted from the worker once state() / backendReport() have the new value (a view made
  // after the session cannot miss them).
  void stateChanged(TrainingState state);
  void backendChanged(const BackendReport& report);
  void snapshotReady(SnapshotPtr snapshot);
  void probeChanged(int index);
  void probeImageNamed(int probe, const QString& name, const QString& shortName);

 private:
  void poll();
  template <typename... Params, typename... Args>
  void post(Qt::ConnectionType type, void (TrainingWorker::*command)(Params...), Args... args) {
    m_worker->interrupt();
    QMetaObject::invokeMethod(
        m_worker, [w = m_worker, command, args...] { (w->*command)(args...); }, type);
  }

  QThread m_thread;
  TrainingWorker* m_worker;                    // lives on m_thread; deleted when it finishes
  cs::SnapshotExchange* m_exchange = nullptr;  // the worker's backend's, only for take()
  BackendReport m_backendReport;
  QTimer m_pollTimer;
  TrainingState m_state = TrainingState::Idle;
  SnapshotPtr m_latest;
  std::shared_ptr<cs::Snapshot> m_buffers[2];  // the frames' copies, reused once released
  int m_probe = 0;
  bool m_probeIsImage = false;
  int m_lastImageProbe = 0;  // the number the last image probe was given
};

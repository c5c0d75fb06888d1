#include "training/training_session.h"

TrainingSession::TrainingSession(QObject* parent) : QObject(parent), m_worker(new TrainingWorker) {
  registerTrainingTypes();
  m_thread.setObjectName(QStringLiteral("convscope-training"));
  m_worker->moveToThread(&m_thread);
  connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
  m_worker->setFrameInterval(1000 / kFrameRateHz);

  connect(m_worker, &TrainingWorker::stateChanged, this, [this](TrainingState state) {
    m_state = state;
    Q_EMIT stateChanged(state);
  });
  connect(m_worker, &TrainingWorker::exchangeChanged, this, [this](cs::SnapshotExchange* e) {
    m_exchange = e;
    invoke(&TrainingWorker::releaseRetiredBackends, e);  // the older exchanges are read no more
  });
  connect(m_worker, &TrainingWorker::backendChanged, this, [this](const BackendReport& report) {
    m_backendReport = report;
    Q_EMIT backendChanged(report);
  });
  connect(m_worker, &TrainingWorker::runCleared, this, [this] { m_latest.reset(); });
  m_thread.start();

  m_pollTimer.setInterval(1000 / kFrameRateHz);
  connect(&m_pollTimer, &QTimer::timeout, this, &TrainingSession::poll);
  m_pollTimer.start();
}

TrainingSession::~TrainingSession() {
  m_pollTimer.stop();
  m_exchange = nullptr;  // the worker thread destroys the backends with the worker
  m_worker->interrupt();
  m_thread.quit();
  m_thread.wait();
}

void TrainingSession::setProbe(int index) {
  if (index == m_probe && !m_probeIsImage) return;
  m_probe = index;
  m_probeIsImage = false;
  invoke(&TrainingWorker::setProbe, index);
  Q_EMIT probeChanged(index);
}

void TrainingSession::setProbeImage(const std::vector<uint8_t>& image, const QString& name,
                                    const QString& shortName) {
  m_probeIsImage = true;
  const int probe = --m_lastImageProbe;
  Q_EMIT probeImageNamed(probe, name, shortName);
  invoke(&TrainingWorker::setProbeImage, image, probe);
}

void TrainingSession::poll() {
  // Idle: no run to show. A frame the worker published before a Reset stays in the exchange
  // until the next run publishes its first one (TrainingWorker::beginRun()).
  if (!m_exchange || m_state == TrainingState::Idle) return;
  const cs::Snapshot* frame = m_exchange->take();
  if (!frame) return;
  // The exchange's slot is reused after the next take(): copy it, into a buffer no view holds
  // any more when there is one (its vectors keep their capacity: no allocation per frame).
  std::shared_ptr<cs::Snapshot>* buffer = &m_buffers[0];
  if (buffer->use_count() > 1) buffer = &m_buffers[1];
  if (buffer->use_count() > 1) *buffer = nullptr;  // both still shown: a new one
  if (!*buffer) *buffer = std::make_shared<cs::Snapshot>();
  **buffer = *frame;
  m_latest = *buffer;
  Q_EMIT snapshotReady(m_latest);
}

#include "training/training_session.h"

#include "training/training_worker.h"

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
  connect(m_worker, &TrainingWorker::backendChanged, this,
          [this](BackendPtr backend, const BackendReport& report) {
            m_backend = std::move(backend);
            m_backendReport = report;
            Q_EMIT backendChanged(report);
          });
  connect(m_worker, &TrainingWorker::runCleared, this, [this] {
    m_latest.reset();
    Q_EMIT runCleared();
  });
  connect(m_worker, &TrainingWorker::runStarted, this, &TrainingSession::runStarted);
  connect(m_worker, &TrainingWorker::datasetLoaded, this, &TrainingSession::datasetLoaded);
  connect(m_worker, &TrainingWorker::datasetFailed, this, &TrainingSession::datasetFailed);
  connect(m_worker, &TrainingWorker::progress, this, &TrainingSession::progress);
  connect(m_worker, &TrainingWorker::evaluated, this, &TrainingSession::evaluated);
  connect(m_worker, &TrainingWorker::checkpointSaved, this, &TrainingSession::checkpointSaved);
  connect(m_worker, &TrainingWorker::checkpointLoaded, this, &TrainingSession::checkpointLoaded);
  connect(m_worker, &TrainingWorker::failed, this, &TrainingSession::failed);
  m_thread.start();

  m_pollTimer.setInterval(1000 / kFrameRateHz);
  connect(&m_pollTimer, &QTimer::timeout, this, &TrainingSession::poll);
  m_pollTimer.start();
}

TrainingSession::~TrainingSession() {
  m_pollTimer.stop();
  m_backend.reset();  // the worker thread destroys the backend with the worker
  m_worker->interrupt();
  m_thread.quit();
  m_thread.wait();
}

template <typename F>
void TrainingSession::post(F&& call) {
  QMetaObject::invokeMethod(m_worker, std::forward<F>(call), Qt::QueuedConnection);
}

void TrainingSession::selectBackend(cs::BackendChoice choice) {
  post([w = m_worker, choice] { w->selectBackend(choice); });
}

void TrainingSession::loadDataset(const QString& dir, const QString& name) {
  post([w = m_worker, dir, name] { w->loadDataset(dir, name); });
}

void TrainingSession::setDataset(DatasetPtr data) {
  post([w = m_worker, data = std::move(data)] { w->setDataset(data); });
}

void TrainingSession::start(const RunRequest& request) {
  post([w = m_worker, request] { w->start(request); });
}

void TrainingSession::pause() {
  m_worker->interrupt();
  post([w = m_worker] { w->pause(); });
}

void TrainingSession::resume() {
  post([w = m_worker] { w->resume(); });
}

void TrainingSession::step(const RunRequest& request) {
  post([w = m_worker, request] { w->step(request); });
}

void TrainingSession::stop() {
  m_worker->interrupt();
  post([w = m_worker] { w->stop(); });
}

void TrainingSession::reset() {
  m_worker->interrupt();
  post([w = m_worker] { w->reset(); });
}

void TrainingSession::setProbe(int index) {
  if (index == m_probe) return;
  m_probe = index;
  post([w = m_worker, index] { w->setProbe(index); });
  Q_EMIT probeChanged(index);
}

void TrainingSession::evaluateNow() {
  post([w = m_worker] { w->evaluateNow(); });
}

void TrainingSession::saveCheckpoint(const QString& path) {
  post([w = m_worker, path] { w->saveCheckpoint(path); });
}

void TrainingSession::loadCheckpoint(const QString& path, const RunRequest& request) {
  post([w = m_worker, path, request] { w->loadCheckpoint(path, request); });
}

void TrainingSession::poll() {
  // Idle: no run to show. A frame the worker published before a Reset stays in the exchange
  // and is replaced by the next run's first one.
  if (!m_backend || m_state == TrainingState::Idle) return;
  const cs::Snapshot* frame = m_backend->snapshots().take();
  if (!frame) return;
  m_latest = std::make_shared<const cs::Snapshot>(*frame);  // the slot is reused after next take()
  Q_EMIT snapshotReady(m_latest);
}

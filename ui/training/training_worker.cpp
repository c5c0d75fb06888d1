#include "training/training_worker.h"

#include <QTimer>
#include <algorithm>

#include "canvas/digit_inference.h"
#include "canvas/image_probe.h"
#include "convscope/checkpoint.h"
#include "training/run_checkpoint.h"

namespace {

constexpr int kChunkMs = 40;           // training time between two looks at the event queue
constexpr int kProgressEveryMs = 100;  // progress reports while running

}  // namespace

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent), m_stepSave(new QTimer(this)) {
  registerTrainingTypes();
  registerCanvasTypes();
  registerEmbeddingTypes();
  registerClassModelTypes();
  m_stepSave->setSingleShot(true);
  m_stepSave->setInterval(kStepSaveDelayMs);
  connect(m_stepSave, &QTimer::timeout, this, [this] {
    if (m_state != TrainingState::Running) guarded([this] { autosave(true); });
  });
}

TrainingWorker::~TrainingWorker() {
  m_trainer.reset();  // before the backend it refers to
}

void TrainingWorker::interrupt() {
  m_interrupt.store(true, std::memory_order_relaxed);
}

void TrainingWorker::setFrameInterval(int milliseconds) {
  m_frameIntervalMs.store(milliseconds, std::memory_order_relaxed);
}

void TrainingWorker::setMeasureUpdates(bool on) {
  m_measureUpdates.store(on, std::memory_order_relaxed);
}

void TrainingWorker::selectBackend(cs::BackendChoice choice) {
  if (!m_trainer) ensureBackend(choice);  // otherwise the next run picks it up
}

void TrainingWorker::loadDataset(const QString& dir, const QString& name) {
  try {
    auto data = std::make_shared<const cs::DatasetPair>(
        cs::load_idx_folder(dir.toStdString(), name.toStdString()));
    m_data = data;
    Q_EMIT datasetLoaded(data, dir);
  } catch (const std::exception& e) {
    Q_EMIT datasetFailed(dir, QString::fromUtf8(e.what()));
  }
}

void TrainingWorker::setDataset(DatasetPtr data) {
  m_data = std::move(data);
}

void TrainingWorker::start(const RunRequest& request) {
  if (m_state == TrainingState::Paused) return resume();
  if (m_state == TrainingState::Running || !beginRun(request, {}, m_data)) return;
  setState(TrainingState::Running);
  scheduleChunk();
}

void TrainingWorker::pause() {
  if (m_state == TrainingState::Running) settle(TrainingState::Paused);
}

void TrainingWorker::settle(TrainingState state) {
  // Every loss up to the step it stopped at is sent before the state says so, so that the history
  // a caller reads then is whole; the autosave's disk write, which may be slow, comes after both.
  // A divergence found in the drain pauses the run itself (guarded()).
  if (!guarded([this] { m_trainer->drain_losses(); })) return;
  emitProgress(true);
  setState(state);
  guarded([this] {
    captureSnapshot();
    autosave(true);
  });
}

void TrainingWorker::resume() {
  if (m_state != TrainingState::Paused) return;
  setState(TrainingState::Running);
  scheduleChunk();
}

void TrainingWorker::step(const RunRequest& request) {
  // Paused: the next step; Idle: a new run's first. A Step queued behind the one that ended the
  // run finds it Finished and leaves it: only Start (which asks first) replaces a run.
  if (m_state != TrainingState::Paused && m_state != TrainingState::Idle) return;
  if (m_state == TrainingState::Idle && !beginRun(request, {}, m_data)) return;
  bool more = true;
  QElapsedTimer clock;
  clock.start();
  const bool ok = guarded([&] {
    more = trainOneStep(true);
    captureSnapshot();          // the weights after this step, as the status bar counts it
    m_trainer->drain_losses();  // its loss on the charts now (a backend may drain every few)
    autosave(false);
  });
  m_stepSave->start();
  m_trainedSeconds += clock.nsecsElapsed() * 1e-9;
  if (!ok) return;
  emitProgress(true);  // its loss before the state (settle())
  setState(more ? TrainingState::Paused : TrainingState::Finished);
}

void TrainingWorker::stop() {
  if (m_state == TrainingState::Running || m_state == TrainingState::Paused)
    settle(TrainingState::Stopped);
}

void TrainingWorker::reset() {
  m_autosave.drop(0);
  m_trainer.reset();
  m_history.reset();
  keepBest(nullptr);
  m_runData.reset();
  Q_EMIT runCleared();
  setState(TrainingState::Idle);
}

void TrainingWorker::continueRun(int moreEpochs, double lr, const cs::LrSchedule& schedule) {
  if (!m_trainer || m_state == TrainingState::Running || m_state == TrainingState::Idle) return;
  cs::TrainConfig cfg = m_trainer->config();
  cfg.epochs = m_trainer->epoch() + std::max(1, moreEpochs);
  cfg.group.optimizer.lr = static_cast<float>(lr);
  cfg.group.optimizer.schedule = schedule;
  if (const std::string problem = cfg.group.optimizer.problem(); !problem.empty())
    return Q_EMIT failed(tr("Cannot continue the run"), QString::fromStdString(problem));
  if (!rebuildTrainer(cfg)) return;
  setState(TrainingState::Running);
  emitProgress(true);
  scheduleChunk();
}

void TrainingWorker::setLearningRate(double lr, const cs::LrSchedule& schedule) {
  if (!m_trainer || m_state != TrainingState::Paused) return;
  cs::TrainConfig cfg = m_trainer->config();
  if (cfg.group.optimizer.lr == static_cast<float>(lr) && cfg.group.optimizer.schedule == schedule)
    return;
  cfg.group.optimizer.lr = static_cast<float>(lr);
  cfg.group.optimizer.schedule = schedule;
  if (!cfg.group.optimizer.problem().empty()) return;  // the panel flags it
  if (!rebuildTrainer(cfg)) return;
  guarded([this] { captureSnapshot(); });
  emitProgress(true);
}

void TrainingWorker::setProbe(int index) {
  m_probe = index;
  m_imageProbe.reset();
  refreshSnapshot();  // while running, the next requested frame uses the new probe
}

void TrainingWorker::refreshSnapshot() {
  if (m_trainer && m_state != TrainingState::Running) guarded([this] { captureSnapshot(); });
}

void TrainingWorker::evaluateNow() {
  if (!m_trainer) return;
  QElapsedTimer clock;
  clock.start();
  guarded([this] { reportEvaluation(m_trainer->evaluate(), false); });
  if (m_state == TrainingState::Running) m_trainedSeconds += clock.nsecsElapsed() * 1e-9;
}

void TrainingWorker::releaseRetiredBackends(cs::SnapshotExchange* adopted) {
  // The backends retired before the one whose exchange the UI took; that one and any newer stay
  // (a second swap's news may still be on its way). On this thread: a device sync or a pool join
  // never blocks the UI.
  const auto taken = std::find_if(m_retired.begin(), m_retired.end(),
                                  [adopted](const auto& b) { return &b->snapshots() == adopted; });
  m_retired.erase(m_retired.begin(), taken);
}

bool TrainingWorker::ensureBackend(cs::BackendChoice choice) {
  if (m_backend && choice == m_backendChoice) return true;
  return guarded([&] {
    cs::BackendSelection selection = cs::make_backend(choice);
    if (m_backend) m_retired.push_back(std::move(m_backend));
    m_backend = BackendPtr(std::move(selection.backend));
    m_backendChoice = choice;
    const cs::BackendInfo info = m_backend->info();
    BackendReport report{
        QString::fromStdString(info.kind), QString::fromStdString(info.device), {}};
    report.note = QString::fromStdString(selection.note);
    Q_EMIT exchangeChanged(&m_backend->snapshots());
    Q_EMIT backendChanged(report);
  });
}

bool TrainingWorker::beginRun(const RunRequest& request, const cs::RunHistory& history,
                              const DatasetPtr& data) {
  if (!data) {
    Q_EMIT failed(tr("No dataset"), tr("No dataset is loaded. Run scripts/fetch-mnist.sh or choose "
                                       "an IDX folder in the Dataset list."));
    return false;
  }
  m_trainer.reset();  // the run before is gone: if this one cannot start, the views hear so
  if (!ensureBackend(request.backend)) {
    reset();
    return false;
  }
  m_runData = data;
  // A probe chosen on a larger validation set (another dataset's) starts over at its first image;
  // the views hear so with the run.
  if (m_probe >= m_runData->test.count) m_probe = 0;
  cs::TrainConfig cfg = request.config;
  // The live charts want every step's loss; a GPU syncs only every few steps.
  cfg.loss_every = m_backend->info().kind == "cuda" ? 10 : 1;
  const bool ok = guarded([&] {
    m_trainer = std::make_unique<cs::Trainer>(*m_backend, m_runData->train, m_runData->test, cfg);
  });
  if (!ok) {
    reset();
    return false;
  }
  m_history = std::make_unique<cs::LearningHistory>(m_runData->test.labels);
  m_trainer->record_history(m_history.get());
  keepBest(nullptr);
  m_autosave.drop(0);  // the run it held is left
  m_evalCursor = 0;
  m_trainedSeconds = 0;
  m_runStartStep = m_epochStartStep = 0;
  m_epochJustEnded = false;
  m_lossCursor = 0;
  m_epochCursor = 0;
  m_sampleRate.reset();
  m_frameClock.invalidate();
  RunInfo info{m_runData, m_trainer->steps_per_epoch(), cfg.epochs, RunInfo::describe(cfg),
               nullptr};
  if (!history.empty()) info.history = std::make_shared<const cs::RunHistory>(history);
  Q_EMIT runStarted(info);
  // The new run's first frame. It replaces one of the run before that the UI has not taken yet,
  // which would otherwise stay: no frame is requested while one waits.
  return guarded([this] { captureSnapshot(); });
}

bool TrainingWorker::rebuildTrainer(const cs::TrainConfig& cfg) {
  return guarded([&] {
    // As a checkpoint saved and loaded would carry it on; its step is the backend's step count,
    // which the trainer's global step equals (configure() zeroes both, each step and a restore
    // move both).
    m_trainer->drain_losses();
    const cs::Checkpoint state = cs::capture_checkpoint(*m_trainer, 0, "the run");
    m_trainer.reset();
    m_trainer = std::make_unique<cs::Trainer>(*m_backend, m_runData->train, m_runData->test, cfg);
    m_trainer->record_history(m_history.get());
    cs::load_checkpoint(state, *m_backend, 0);
    cs::resume_from_checkpoint(*m_trainer, state.meta);  // mid-epoch too
    startEpochAt(state.meta.step - m_trainer->step_in_epoch());
    m_lossCursor = m_trainer->losses().size();  // the run's history goes on
    m_epochCursor = 0;  // the new trainer's epochs start empty; the run's passes go on
    m_evalCursor = m_trainer->history().evaluations.size();
    m_sampleRate.restartAt(m_trainedSeconds);
  });
}

void TrainingWorker::startEpochAt(long long step) {
  m_epochStartStep = step;
  m_epochJustEnded = false;
  m_backend->begin_epoch(m_trainer->epoch());
}

TrainingWorker::Position TrainingWorker::position() const {
  const int done = m_trainer->epoch();
  if (m_epochJustEnded) return {done, m_trainer->steps_per_epoch()};
  return {done + 1, static_cast<int>(m_trainer->global_step() - m_epochStartStep)};
}

void TrainingWorker::scheduleChunk() {
  if (m_chunkPending) return;
  m_chunkPending = true;
  QMetaObject::invokeMethod(this, &TrainingWorker::runChunk, Qt::QueuedConnection);
}

void TrainingWorker::runChunk() {
  m_chunkPending = false;
  m_interrupt = false;  // the commands that interrupted the last chunk have been handled
  if (m_state != TrainingState::Running) return;
  QElapsedTimer chunk;
  chunk.start();
  bool more = true;
  const bool ok = guarded([&] {
    while (more && !m_interrupt.load(std::memory_order_relaxed) && chunk.elapsed() < kChunkMs) {
      more = trainOneStep(requestFrameIfDue());
    }
    autosave(!more);  // when due, and at the run's end
  });
  m_trainedSeconds += chunk.nsecsElapsed() * 1e-9;
  if (!ok) return;
  if (!more) {
    setState(TrainingState::Finished);
    guarded([this] { captureSnapshot(); });
    emitProgress(true);
    return;
  }
  emitProgress(false);
  scheduleChunk();
}

bool TrainingWorker::trainOneStep(bool measure) {
  const long long step = m_backend->step_count();
  measure =
      measure && m_measureUpdates.load(std::memory_order_relaxed) && m_meter.before(*m_backend);
  const bool more = m_trainer->step();
  if (measure) Q_EMIT layerUpdated(m_meter.after(*m_backend, step));
  m_epochJustEnded = false;
  if (m_trainer->epochs().size() > m_epochCursor) {
    m_epochStartStep = m_trainer->global_step();
    m_epochJustEnded = true;
    emitProgress(true);  // the epoch's losses before its evaluation
    reportEvaluation(m_trainer->last_eval(), true);
    if (RunCheckpoint::atBestEpoch(*m_trainer))  // into the last one's buffers
      keepBest(RunCheckpoint::inMemory(*m_trainer, std::move(m_best)));
  } else if (m_trainer->history().evaluations.size() > m_evalCursor) {
    reportEvaluation(m_trainer->last_eval(), false);  // every eval_every steps
  }
  return more && !m_trainer->finished();
}

bool TrainingWorker::requestFrameIfDue() {
  if (m_frameClock.isValid() && m_frameClock.elapsed() < m_frameIntervalMs.load()) return false;
  if (m_backend->snapshots().has_new()) return false;  // the UI has not taken the last frame yet
  if (imageProbeFits())
    captureImageProbe();
  else
    m_trainer->request_snapshot(0, m_probe);
  m_frameClock.start();
  return true;
}

void TrainingWorker::captureSnapshot() {
  if (m_trainer && imageProbeFits())
    captureImageProbe();
  else if (m_trainer)
    m_backend->capture_snapshot(0, m_probe);
}

bool TrainingWorker::imageProbeFits() {
  // A run on images of another size (a new dataset) takes the validation probe back: its frames
  // say so to the probe view.
  if (m_imageProbe && m_trainer && !m_imageProbe->fits(*m_backend)) m_imageProbe.reset();
  return m_imageProbe != nullptr;
}

void TrainingWorker::captureImageProbe() {
  // The epoch as the live frames and the status bar name it (0-based here): the last one
  // trained when the run is between epochs or finished.
  m_imageProbe->capture(*m_backend, m_backend->step_count(), position().epoch - 1);
}

void TrainingWorker::predictDigit(int id, const std::vector<float>& image) {
  Q_EMIT digitPredicted(DigitInference::predict(m_trainer ? m_backend.get() : nullptr, id, image));
}

void TrainingWorker::computeSaliency(const SaliencyRequest& request) {
  Q_EMIT saliencyComputed(DigitInference::saliency(m_trainer ? m_backend.get() : nullptr, request));
}

void TrainingWorker::computeEmbedding(const EmbeddingRequest& request) {
  Q_EMIT embeddingComputed(::computeEmbedding(m_trainer ? m_backend.get() : nullptr,
                                              m_trainer ? &m_runData->test : nullptr, request));
}

void TrainingWorker::computeClassModels(const ClassModelsRequest& request) {
  Q_EMIT classModelsComputed(::computeClassModels(m_trainer ? m_backend.get() : nullptr,
                                                  m_trainer ? m_runData->test.name : "", request));
}

void TrainingWorker::setProbeImage(const std::vector<uint8_t>& image, int probe) {
  const QString problem =
      DigitInference::problem(m_trainer ? m_backend.get() : nullptr, image.size());
  if (!problem.isEmpty()) return Q_EMIT failed(tr("Cannot use the drawing as the probe"), problem);
  m_imageProbe = std::make_unique<ImageProbe>(image, probe);
  if (m_trainer && m_state != TrainingState::Running) guarded([this] { captureSnapshot(); });
}

void TrainingWorker::reportEvaluation(const cs::EvalResult& result, bool epochEnd) {
  EvaluationReport report;
  // The trainer recorded this pass, or the same weights' pass at this step, last.
  report.metrics = m_trainer->history().evaluations.back();
  if (epochEnd) m_epochCursor = m_trainer->epochs().size();
  report.result = std::make_shared<const cs::EvalResult>(result);
  m_evalCursor = m_trainer->history().evaluations.size();
  if (m_history) report.history = std::make_shared<const cs::LearningHistory>(*m_history);
  try {  // a diagnostic: a failure leaves the run as it is and is said, not thrown
    report.dead = cs::dead_units(*m_backend, 0, m_trainer->validation_set());
  } catch (const std::exception& e) {
    report.deadError = QString::fromStdString(cs::describe(e).message);
  }
  Q_EMIT evaluated(report);
}

void TrainingWorker::emitProgress(bool force) {
  if (!m_trainer) return;
  if (!force && m_progressClock.isValid() && m_progressClock.elapsed() < kProgressEveryMs) return;
  m_progressClock.start();
  const cs::Trainer& t = *m_trainer;
  const Position at = position();
  TrainingProgress p;
  p.epoch = t.epoch();
  p.epochs = t.config().epochs;
  if (t.stopped_early()) {
    p.epochs = t.epoch();  // done: the bar is full
    p.earlyStop = QString::fromStdString(t.early_stop_reason());
  }
  p.canRewind = m_best && m_best->meta.step != m_backend->step_count();
  p.currentEpoch = at.epoch;
  p.stepInEpoch = at.step;
  p.stepsPerEpoch = t.steps_per_epoch();
  p.globalStep = t.global_step();
  p.samplesSeen = t.samples_seen();
  p.elapsedSeconds = m_trainedSeconds;
  p.samplesPerSecond = m_sampleRate.update(m_trainedSeconds, p.samplesSeen);
  // Time per step as measured in this run (a loaded checkpoint's steps took no time here).
  const long long trained = p.globalStep - m_runStartStep;
  if (trained > 0 && m_trainedSeconds > 0)
    p.etaSeconds = std::max(0LL, p.stepsLeft()) * (m_trainedSeconds / trained);
  const std::vector<cs::LossPoint>& losses = t.losses();
  p.losses.assign(
      losses.begin() + static_cast<std::ptrdiff_t>(std::min(m_lossCursor, losses.size())),
      losses.end());
  m_lossCursor = losses.size();
  if (!t.config().group.optimizer.schedule.constant()) p.scheduledRate = t.learning_rate();
  Q_EMIT progress(p);
}

void TrainingWorker::setState(TrainingState state) {
  if (state == m_state) return;
  m_state = state;
  Q_EMIT stateChanged(state);
}

bool TrainingWorker::guarded(const std::function<void()>& body) {
  try {
    body();
    return true;
  } catch (const std::exception& e) {
    emitProgress(true);  // deliver whatever was measured before the failure
    // A divergence leaves the run paused where it went back to: the learning rate can be lowered
    // there (it can only while paused) before it trains on.
    const bool diverged = m_trainer && dynamic_cast<const cs::DivergenceError*>(&e);
    setState(diverged    ? TrainingState::Paused
             : m_trainer ? TrainingState::Stopped
                         : TrainingState::Idle);
    if (diverged) takeBackHistory();
    reportFailure(e);
  }
  return false;
}

void TrainingWorker::takeBackHistory() {
  m_lossCursor = m_trainer->losses().size();
  m_evalCursor = m_trainer->history().evaluations.size();
  Q_EMIT historyTakenBack(std::make_shared<const cs::RunHistory>(m_trainer->history()));
  // The predictions shown may be of a pass that is gone (every eval_every steps); a pass at the
  // restored step replaces the figures of the one recorded there. The autosave holds the run as it
  // was taken back, not the path that diverged.
  m_autosave.forget();
  try {
    reportEvaluation(m_trainer->evaluate(), false);
    captureSnapshot();
    autosave(true);
  } catch (const std::exception& e) {
    reportFailure(e);
  }
}

void TrainingWorker::reportFailure(const std::exception& e) {
  const cs::ErrorText error = cs::describe(e);
  QString message = QString::fromStdString(error.message);
  if (error.kind == cs::ErrorKind::Divergence)
    message = tr("%1.\n\nThe run is paused there, its charts taken back with it: lower the "
                 "learning rate, then Resume (or Reset to start over).")
                  .arg(message);
  Q_EMIT failed(QString::fromStdString(error.title), message);
}

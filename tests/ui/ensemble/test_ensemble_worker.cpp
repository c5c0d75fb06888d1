// The ensemble worker on its own thread: trains a tiny ensemble (3 networks on a small subset of
// MNIST, or a synthetic set without it) into a temporary run store, reports progress, keeps the
// finished epochs when cancelled, continues a cancelled run to the end an uncancelled one has,
// and reports store errors.
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <optional>

#include "convscope/store.h"
#include "ensemble/ensemble_worker.h"
#include "ensemble_test_data.h"
#include "file_size_limit.h"
#include "test_data.h"

namespace {

// `nets` networks (seeds 5, 6, ...) recording into `store`.
EnsembleRequest tinyRequest(const QString& store, int nets, int epochs) {
  std::vector<uint64_t> seeds;
  for (int i = 0; i < nets; ++i) seeds.push_back(5 + i);
  EnsembleRequest r = ensemble_testing::tinyRequest(epochs, std::move(seeds));
  r.storePath = store;
  return r;
}

// Records the worker's signals on the test's thread (queued), so that nothing is read while the
// worker writes it.
class Recorder : public QObject {
 public:
  explicit Recorder(EnsembleWorker* worker) {
    connect(worker, &EnsembleWorker::started, this, [this](qint64 run, const QString& what) {
      started << run;
      description = what;
    });
    connect(worker, &EnsembleWorker::progress, this,
            [this](const EnsembleProgress& p) { progress << p; });
    connect(worker, &EnsembleWorker::epochRecorded, this,
            [this](qint64, int epoch) { epochs << epoch; });
    connect(worker, &EnsembleWorker::finished, this, [this](qint64 r, bool c) {
      run = r;
      cancelled = c;
      done = true;
    });
    connect(worker, &EnsembleWorker::failed, this,
            [this](qint64 r, const QString& t, const QString& m) {
              run = r;
              title = t;
              message = m;
              done = failed = true;
            });
  }
  QList<qint64> started;
  QString description;  // the last started()'s
  QList<EnsembleProgress> progress;
  QList<int> epochs;
  bool done = false, cancelled = false, failed = false;
  qint64 run = -2;
  QString title, message;
};

}  // namespace

class TestEnsembleWorker : public QObject {
  Q_OBJECT

 private:
  QThread m_thread;
  EnsembleWorker* m_worker = nullptr;

  void train(const EnsembleRequest& request) {
    EnsembleWorker* worker = m_worker;
    QMetaObject::invokeMethod(
        worker, [worker, request] { worker->train(request); }, Qt::QueuedConnection);
  }
  // A run of 2 networks planned for 3 epochs, cancelled as its first is recorded; -1 when it was
  // not cancelled so.
  qint64 cancelledAfterOneEpoch(const QString& path) {
    Recorder r(m_worker);
    EnsembleWorker* worker = m_worker;
    const QMetaObject::Connection stop = connect(
        worker, &EnsembleWorker::epochRecorded, worker, [worker] { worker->cancel(); },
        Qt::DirectConnection);
    m_worker->resetCancel();
    train(tinyRequest(path, 2, 3));
    const bool done = QTest::qWaitFor([&] { return r.done; }, 120000);
    disconnect(stop);
    return done && r.cancelled && r.epochs == QList<int>{1} ? r.run : -1;
  }

 private Q_SLOTS:
  void initTestCase() {
    registerEnsembleTypes();
    m_thread.start();
  }
  void init() {
    m_worker = new EnsembleWorker;
    m_worker->moveToThread(&m_thread);
  }
  void cleanup() { QMetaObject::invokeMethod(m_worker, &QObject::deleteLater); }
  void cleanupTestCase() {
    m_thread.quit();
    m_thread.wait();
  }

  void trainsAndStoresATinyEnsemble() {
    QTemporaryDir dir;
    const QString path = dir.filePath("runs.db");
    Recorder r(m_worker);
    m_worker->resetCancel();
    train(tinyRequest(path, 3, 2));
    QTRY_VERIFY_WITH_TIMEOUT(r.done, 120000);
    QVERIFY2(!r.failed, qPrintable(r.message));
    QCOMPARE(r.cancelled, false);
    const qint64 run = r.run;
    QCOMPARE(r.started, QList<qint64>{run});
    QCOMPARE(r.epochs, (QList<int>{1, 2}));
    QVERIFY(r.progress.size() >= 3);  // loading, preparing, training, …
    QCOMPARE(r.progress.front().phase, EnsembleProgress::Phase::Loading);
    const EnsembleProgress& last = r.progress.last();
    QCOMPARE(last.run, run);
    QCOMPARE(last.nets, 3);
    QCOMPARE(last.epochs, 2);
    QVERIFY(last.groupSamplesPerSecond > 0);

    cs::Store store(path.toStdString());
    const cs::StoredRun stored = store.load_run(run);
    QCOMPARE(stored.info.status, cs::RunStatus::Finished);
    QCOMPARE(stored.info.epochs_done, 2);
    QCOMPARE(stored.info.setup.group.seeds, (std::vector<uint64_t>{5, 6, 7}));
    QCOMPARE(stored.eval.nets, 3);
    QCOMPARE(stored.eval.count, 200);
    QCOMPARE(stored.epochs.size(), size_t(2));
    const std::vector<cs::ParamInfo> params = stored.info.setup.group.spec.params();
    for (int net = 0; net < 3; ++net) {
      const std::vector<cs::NamedTensor> weights = store.load_weights(run, net);
      QCOMPARE(weights.size(), params.size());
      QCOMPARE(weights[0].name, params[0].name);
      QCOMPARE(weights[0].data.size(), size_t(params[0].size()));
    }
    // Different seeds, different networks.
    QVERIFY(store.load_weights(run, 0)[0].data != store.load_weights(run, 1)[0].data);
  }

  void networksThatStopLearningAreReported() {
    QTemporaryDir dir;
    Recorder r(m_worker);
    m_worker->resetCancel();
    EnsembleRequest request = tinyRequest(dir.filePath("runs.db"), 2, 5);  // 20 steps an epoch
    request.config.group.optimizer = cs::OptimizerConfig::defaults(cs::OptimizerKind::Sgd);
    request.config.group.optimizer.lr = 10;  // every ReLU dies; the loss stays finite
    train(request);
    QTRY_VERIFY_WITH_TIMEOUT(r.done, 120000);
    QVERIFY2(!r.failed, qPrintable(r.message));
    QStringList warnings;  // the last report of each epoch: after it was recorded
    for (const EnsembleProgress& p : r.progress) {
      if (p.epoch < 1) continue;
      if (p.epoch > warnings.size()) warnings << QString();
      warnings.back() = p.warning;
    }
    QCOMPARE(warnings.size(), 5);
    QCOMPARE(warnings[3], QString());  // 80 steps: too early to tell
    QVERIFY2(warnings[4].startsWith(QStringLiteral("all 2 networks are not learning after 100")),
             qPrintable(warnings[4]));
  }

  void cancelKeepsTheFinishedEpochs() {
    QTemporaryDir dir;
    const QString path = dir.filePath("runs.db");
    Recorder r(m_worker);
    // Cancel from the worker's thread as epoch 1 is recorded: exactly one epoch is kept.
    EnsembleWorker* worker = m_worker;
    connect(
        worker, &EnsembleWorker::epochRecorded, worker, [worker] { worker->cancel(); },
        Qt::DirectConnection);
    m_worker->resetCancel();
    train(tinyRequest(path, 3, 3));
    QTRY_VERIFY_WITH_TIMEOUT(r.done, 120000);
    QCOMPARE(r.cancelled, true);
    const qint64 run = r.run;
    cs::Store store(path.toStdString());
    const cs::StoredRun stored = store.load_run(run);
    QCOMPARE(stored.info.status, cs::RunStatus::Cancelled);
    QCOMPARE(stored.info.epochs_done, 1);
    QCOMPARE(stored.eval.nets, 3);  // the finished epoch's predictions load
  }

  void aCancelledRunContinuesToTheSameEnd() {
    QTemporaryDir dir;
    const QString path = dir.filePath("runs.db");
    qint64 reference = -1, run = -1;
    {
      Recorder r(m_worker);
      m_worker->resetCancel();
      train(tinyRequest(path, 2, 3));
      QTRY_VERIFY_WITH_TIMEOUT(r.done, 120000);
      reference = r.run;
    }
    run = cancelledAfterOneEpoch(path);
    QVERIFY(run >= 0);
    Recorder r(m_worker);
    EnsembleRequest request = tinyRequest(path, 2, 3);
    request.continueRun = run;
    m_worker->resetCancel();
    train(request);
    QTRY_VERIFY_WITH_TIMEOUT(r.done, 120000);
    QVERIFY2(!r.failed, qPrintable(r.message));
    QCOMPARE(r.cancelled, false);
    QCOMPARE(r.run, run);
    QCOMPARE(r.started, QList<qint64>{run});
    QVERIFY2(r.description.startsWith(QStringLiteral("from epoch 2, 2 × ")),
             qPrintable(r.description));  // stopped as epoch 1 ended: from epoch 2's start
    QCOMPARE(r.epochs, (QList<int>{2, 3}));
    for (const EnsembleProgress& p : r.progress)
      if (p.phase == EnsembleProgress::Phase::Training) QVERIFY(p.fraction() >= 1.0 / 3);
    cs::Store store(path.toStdString());
    const cs::StoredRun stored = store.load_run(run);
    QCOMPARE(stored.info.status, cs::RunStatus::Finished);
    QCOMPARE(stored.info.epochs_done, 3);
    QCOMPARE(stored.epochs.back().net_val_loss,
             store.load_run(reference).epochs.back().net_val_loss);
    for (int net = 0; net < 2; ++net)
      QCOMPARE(store.load_weights(run, net)[0].data, store.load_weights(reference, net)[0].data);
  }

  // A continued run that fails (here the disk fills before its next epoch is recorded) keeps the
  // epochs it had, and says how many.
  void aContinuedRunThatFailsSaysWhatItKeeps() {
    QTemporaryDir dir;
    const QString path = dir.filePath("runs.db");
    const qint64 run = cancelledAfterOneEpoch(path);
    QVERIFY(run >= 0);
    Recorder r(m_worker);
    std::optional<FileSizeLimit> full;  // from the continued run's start: no file may grow
    const QMetaObject::Connection fill = connect(
        m_worker, &EnsembleWorker::started, m_worker, [&full] { full.emplace(1); },
        Qt::DirectConnection);
    EnsembleRequest request = tinyRequest(path, 2, 3);
    request.continueRun = run;
    m_worker->resetCancel();
    train(request);
    QTRY_VERIFY_WITH_TIMEOUT(r.done, 120000);
    disconnect(fill);
    full.reset();
    QVERIFY(r.failed);
    QCOMPARE(r.run, run);
    QVERIFY2(r.message.endsWith(QStringLiteral("Run %1 keeps its 1 finished epoch.").arg(run)),
             qPrintable(r.message));
  }

  void aRunThatCannotContinueIsReported() {
    QTemporaryDir dir;
    Recorder r(m_worker);
    EnsembleRequest request = tinyRequest(dir.filePath("runs.db"), 2, 3);
    request.continueRun = 7;
    m_worker->resetCancel();
    train(request);
    QTRY_VERIFY_WITH_TIMEOUT(r.done, 60000);
    QVERIFY(r.failed);
    QCOMPARE(r.run, -1);
    QVERIFY2(r.message.contains(QStringLiteral("run 7 does not exist")), qPrintable(r.message));
  }

  void cancelBeforeStartBeginsNoRun() {
    QTemporaryDir dir;
    Recorder r(m_worker);
    m_worker->resetCancel();
    m_worker->cancel();
    train(tinyRequest(dir.filePath("runs.db"), 2, 1));
    QTRY_VERIFY_WITH_TIMEOUT(r.done, 60000);
    QCOMPARE(r.run, -1);
    QCOMPARE(r.cancelled, true);
    QVERIFY(r.started.isEmpty());
  }

  void storeErrorsAreReported() {
    QTemporaryDir dir;
    const QString path = dir.filePath("not-a-store.db");
    QFile junk(path);
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write(QByteArray(4096, 'x'));
    junk.close();
    Recorder r(m_worker);
    m_worker->resetCancel();
    train(tinyRequest(path, 2, 1));
    QTRY_VERIFY_WITH_TIMEOUT(r.done, 60000);
    QVERIFY(r.failed);
    QCOMPARE(r.run, -1);
    QCOMPARE(r.title, QStringLiteral("Run store error"));
    QVERIFY(r.message.contains(QStringLiteral("not-a-store.db")));
  }
};

QTEST_MAIN(TestEnsembleWorker)
#include "test_ensemble_worker.moc"

#include "training/lr_finder_worker.h"

#include <utility>

#include "convscope/error.h"

LrFinderWorker::LrFinderWorker(QObject* parent) : QObject(parent) {}

void LrFinderWorker::flush(bool force) {
  if (m_pending.empty() || (!force && m_sinceReport.elapsed() < kReportMs)) return;
  m_sinceReport.restart();
  Q_EMIT pointsAdded(std::exchange(m_pending, {}));
}

void LrFinderWorker::run(DatasetPtr data, cs::GroupConfig group, cs::LrFinderSettings settings,
                         cs::BackendChoice backend) {
  m_pending.clear();
  m_sinceReport.start();
  bool stopped = false;
  try {
    if (!data) {
      Q_EMIT failed(tr("No dataset"), tr("No dataset is loaded. Run scripts/fetch-mnist.sh or "
                                         "choose an IDX folder in the Dataset list."));
      return;
    }
    if (m_cancel.load(std::memory_order_relaxed)) {  // closed before it began
      Q_EMIT finished({}, true);
      return;
    }
    cs::BackendSelection selection = cs::make_backend(backend);
    const cs::BackendInfo info = selection.backend->info();
    QString text = QStringLiteral("%1 (%2)").arg(QString::fromStdString(info.kind),
                                                 QString::fromStdString(info.device));
    if (!selection.note.empty())
      text += QStringLiteral(" — ") + QString::fromStdString(selection.note);
    Q_EMIT started(text);
    if (m_cancel.load(std::memory_order_relaxed)) {  // closed while the backend was made
      Q_EMIT finished({}, true);
      return;
    }
    const cs::LrFinderResult result =
        cs::find_learning_rate(*selection.backend, std::move(group), data->train, data->test,
                               settings, [this, &stopped](const cs::LrFinderPoint& point) {
                                 m_pending.push_back(point);
                                 flush(false);
                                 stopped = m_cancel.load(std::memory_order_relaxed);
                                 return !stopped;
                               });
    flush(true);
    Q_EMIT finished(result, stopped);
  } catch (const std::exception& e) {
    flush(true);
    const cs::ErrorText error = cs::describe(e);
    Q_EMIT failed(QString::fromStdString(error.title), QString::fromStdString(error.message));
  }
}

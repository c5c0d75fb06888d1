// What a termination signal or a crash would lose: the live run's unsaved training. Nobody can
// be asked at a signal, so saveForSignal() writes the run to a checkpoint in the recovery folder
// (before it returns) and notes it in the settings. Against a crash (SIGKILL, a power loss) the
// worker autosaves the run there while it trains (TrainingWorker::setAutosave) as
// autosave-<pid>.safetensors, beside a lock file this process holds (QLockFile); a clean exit
// removes both. The next start restores the newest run a signal saved (each instance's under its
// own name and settings key) or, failing that, the newest autosave whose process is gone, paused
// at its step, through File ▸ Load checkpoint's path (so it is in Recent checkpoints too), and
// lists the other recovered runs there; the autosaves of running instances are left to them.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <memory>

class LiveTrainingView;
class QLockFile;

class RunRecovery : public QObject {
  Q_OBJECT

 public:
  explicit RunRecovery(LiveTrainingView* live, QObject* parent = nullptr);
  ~RunRecovery() override;

  // ~/.local/share/convscope/recovered, beside the run store.
  static QString directory();
  // The checkpoint written (empty when nothing was unsaved, or the save failed: then `error`, and
  // the autosave is kept for the next start to restore, as after a crash).
  QString saveForSignal(int signal, QString* error = nullptr);
  // Loads the newest run a signal saved (once), if any, else the newest a crashed instance
  // autosaved (each such file is renamed convscope-autosaved-<its time>.safetensors
  // first, so that it is found once and kept).
  void restorePending();
  // Autosaves this instance's live run every `intervalMs` of training from now on (when the
  // recovery folder can hold its lock; else it says why and does not).
  void startAutosave(int intervalMs);

 Q_SIGNALS:
  void statusMessage(const QString& text);

 private:
  // Loads `path` and says `message` once it is loaded, or that it could not be; either names
  // `more`, the other recovered runs listed with the recent checkpoints ("2 other recovered runs";
  // "the newest 7 of 9 other recovered runs (all in FOLDER)" where they do not all fit), when
  // there are.
  void restore(const QString& path, const QString& message, const QString& more);
  // Renames the autosaves whose process is gone (their lock is free) and returns the new names,
  // newest first.
  QStringList adoptOrphanedAutosaves();

  LiveTrainingView* m_live;
  std::unique_ptr<QLockFile> m_lock;  // held while this instance autosaves
};

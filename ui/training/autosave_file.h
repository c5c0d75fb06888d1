// The training worker's crash-recovery file (TrainingWorker::setAutosave): where it goes, how
// often it is written, and which step a file already holds, so that no write repeats one.
#pragma once

#include <QElapsedTimer>
#include <QString>

namespace cs {
class Trainer;
}

class AutosaveFile {
 public:
  // Removes the file: a clean exit leaves nothing to recover.
  ~AutosaveFile();

  // Moves the file to `path` (empty: no autosave), written every `intervalMs` of training; the
  // old one is removed.
  void setTarget(const QString& path, int intervalMs);
  // Writes network 0 of `trainer`'s run when due (`now`: whenever its step is in no file). A
  // failed write (a full disk) leaves the run training unprotected and returns why; empty
  // otherwise. Throws DivergenceError as draining the trainer's losses does.
  QString save(cs::Trainer& trainer, bool now);
  // Removes the file; `coveredStep`: the step a file holds now (the user's save, a load), so
  // none is due before the next step.
  void drop(long long coveredStep);
  // The run went back to an earlier step (a divergence's rollback): the file, and the step a save
  // holds, are of the path it left, so the next save writes whatever the step.
  void forget() { m_savedStep = -1; }
  // Writes no more, and leaves the file for the next start to restore: the run's last copy when
  // the save at a termination signal failed.
  void keep() { m_path.clear(); }

 private:
  QString m_path;  // empty: no autosave
  int m_intervalMs = 0;
  QElapsedTimer m_clock;       // since the last write, or since the run began
  long long m_savedStep = -1;  // the step a file holds (the autosave, a save, a load)
};

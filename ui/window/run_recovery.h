// What a termination signal would lose: the live run's unsaved training. Nobody can be asked
// then, so saveForSignal() writes the run to a checkpoint in the recovery folder (before it
// returns) and notes it in the settings; the next start restores it, paused at its step, through
// File ▸ Load checkpoint's path (so it is in Recent checkpoints too).
#pragma once

#include <QObject>
#include <QString>

class LiveTrainingView;

class RunRecovery : public QObject {
  Q_OBJECT

 public:
  explicit RunRecovery(LiveTrainingView* live, QObject* parent = nullptr);

  // ~/.local/share/convscope/recovered, beside the run store.
  static QString directory();
  // The checkpoint written (empty when nothing was unsaved, or the save failed: then `error`).
  QString saveForSignal(int signal, QString* error = nullptr);
  // Loads the run a signal saved at the last exit, if any (once).
  void restorePending();

 Q_SIGNALS:
  void statusMessage(const QString& text);

 private:
  LiveTrainingView* m_live;
};

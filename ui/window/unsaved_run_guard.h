// Asks before a run's unsaved training is thrown away (Reset, Start, Load checkpoint, Quit), as
// editors do: Save, Discard or Cancel. A run is unsaved when it took steps since it began, was
// loaded or was last saved. Save asks for a file and queues the save; the action follows once the
// checkpoint is on disk, and not at all when the save fails: the run is then kept as it was. A
// paused run set training again while the file was written (trainingRequested()) is wanted on,
// and its steps since are not in the file: the action is dropped, and the save's status message
// says so.
#pragma once

#include <QObject>
#include <QString>
#include <functional>

class QWidget;
class TrainingSession;

class UnsavedRunGuard : public QObject {
  Q_OBJECT

 public:
  struct Answer {
    enum Choice { Save, Discard, Cancel } choice = Cancel;
    QString path;  // with Save: the checkpoint file
  };
  // Asks the question (e.g. "Reset discards …"); the default shows a message box and a file dialog.
  using Asker = std::function<Answer(const QString& question)>;

  UnsavedRunGuard(TrainingSession* session, QWidget* dialogParent);

  bool isUnsaved() const { return m_savedStep != m_step; }
  // The name save dialogs propose: "convscope-step3581.safetensors", the run's newest step, so
  // that saving again later does not offer to overwrite the earlier checkpoint.
  QString checkpointFileName() const;
  // File > Save checkpoint: asks for a file (proposing checkpointFileName()) and queues the save.
  void saveAs();
  // The checkpoint save dialog, titled `title` and proposing `fileName`; empty when cancelled.
  QString askCheckpointPath(const QString& title, const QString& fileName) const;
  // Runs `proceed`, `action` ("Reset", …), once the run's unsaved training may go: at once when
  // nothing is unsaved or the user discards it, after the checkpoint is on disk when they save it
  // first, never when that save fails or they cancel. `discards` names what it discards ("the
  // current run", or what it says).
  void confirm(const QString& action, const QString& discards, std::function<void()> proceed);
  // A save chosen in confirm() has not reached the disk yet: its action waits for it.
  bool savePending() const { return static_cast<bool>(m_pending); }
  // The user asked the run to train (Resume, Step, Continue): an action of a run asked about while
  // paused, waiting for its save, is dropped when the save ends.
  void trainingRequested();
  void setAsker(Asker asker) { m_asker = std::move(asker); }

 Q_SIGNALS:
  // A checkpoint written, in words: "Saved checkpoint …", and the action of confirm() it was saved
  // for when that action was dropped.
  void statusMessage(const QString& text);

 private:
  Answer ask(const QString& question) const;
  // The save chosen in confirm() ended: its action runs when it wrote `path`. Returns why it did
  // not ("Reset was not done: …"), empty otherwise.
  QString pendingSaveEnded(const QString& path, bool ok);

  TrainingSession* m_session;
  QWidget* m_dialogParent;
  Asker m_asker;
  long long m_step = 0;  // the run's newest global step
  // The step it began at, was loaded at, or was saved at; kNoFile once a divergence took it back
  // behind that step (no file holds it, whatever step it reaches again), to m_takenBackTo.
  long long m_savedStep = 0;
  static constexpr long long kNoFile = -1;
  long long m_takenBackTo = 0;
  QString m_pendingPath;            // the file of the save chosen in confirm()
  std::function<void()> m_pending;  // its action, until the save ends
  struct PendingAction {            // and confirm()'s question about it
    QString action, discards;
    bool whileTraining = false;      // asked while the run trained
    bool trainingRequested = false;  // trainingRequested() since
  } m_pendingAction;
};

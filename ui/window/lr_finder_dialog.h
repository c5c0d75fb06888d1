// Training ▸ Find learning rate…: the learning-rate range test (cs::find_learning_rate) of the
// panel's network, optimizer and batch size on the dataset the next run would use, with
// network 0's seed and freshly initialized weights, on an LrFinderWorker thread with a backend of
// its own, so the live run is not touched. The minimum and maximum rates and the steps are
// checked as they are edited (cs::lr_finder_problem); Run draws the losses as they come, Stop ends
// the test early, and the result line gives the suggested rate, which "Use …" hands back
// (rateChosen). Closing the dialog stops a test in progress; destroying it waits for the thread.
#pragma once

#include <QDialog>
#include <QElapsedTimer>
#include <QThread>

#include "training/lr_finder_types.h"

class LogSpinBox;
class LrFinderChart;
class LrFinderWorker;
class NoteLabel;
class QLabel;
class QPushButton;
class QSpinBox;

class LrFinderDialog : public QDialog {
  Q_OBJECT

 public:
  // `group`: the run's configuration, of which the test takes network 0's (its seed, network,
  // optimizer and batch size). `dataName` names `data` ("MNIST").
  LrFinderDialog(DatasetPtr data, const QString& dataName, const cs::GroupConfig& group,
                 cs::BackendChoice backend, QWidget* parent = nullptr);
  ~LrFinderDialog() override;  // stops a test in progress and waits for it

  cs::LrFinderSettings settings() const;  // of the fields
  void setSettings(const cs::LrFinderSettings& settings);
  // Why the fields cannot run ("" when they can).
  QString problem() const { return m_problem; }
  bool isRunning() const { return m_running; }
  // The last test's result (empty before one ended), and whether it was stopped.
  const cs::LrFinderResult& result() const { return m_result; }
  bool wasStopped() const { return m_stopped; }
  // The rate "Use" hands back: the suggestion to the three digits shown (0 when none, and for a
  // test stopped while the loss was still falling).
  double suggestedRate() const { return m_suggested; }

  LrFinderChart* chart() const { return m_chart; }
  QPushButton* runButton() const { return m_run; }
  QPushButton* useButton() const { return m_use; }
  QString resultText() const;
  QString progressText() const;
  QString subjectText() const;

  // The rate as the dialog writes it: three significant digits ("0.00933").
  static QString rateText(double rate);

 public Q_SLOTS:
  void run();                      // does nothing while running or with a problem
  void stop();                     // ends a test in progress after its current step
  void done(int result) override;  // stops a test in progress, then closes

 Q_SIGNALS:
  // "Use …" was pressed: the suggested rate (suggestedRate()).
  void rateChosen(double rate);
  // A test ended: finished, stopped or failed.
  void runEnded();

 private:
  void connectWorker();
  void revalidate();
  void showIdleNote();
  void onStarted(const QString& backend);
  void onPoints(const LrFinderPoints& points);
  void onFinished(const cs::LrFinderResult& result, bool stopped);
  void onFailed(const QString& title, const QString& message);
  void endRun();
  QString describeResult() const;

  DatasetPtr m_data;
  cs::GroupConfig m_group;
  cs::BackendChoice m_backend;
  LogSpinBox* m_minRate;
  LogSpinBox* m_maxRate;
  QSpinBox* m_steps;
  QLabel* m_subject;
  QPushButton* m_run;
  NoteLabel* m_progress;
  LrFinderChart* m_chart;
  NoteLabel* m_resultLine;
  QPushButton* m_use;
  QThread m_thread;
  LrFinderWorker* m_worker = nullptr;  // lives on m_thread, made at the first run
  QString m_problem;
  QString m_backendText;  // the worker's backend, once it is made
  bool m_running = false;
  bool m_stopped = false;
  int m_stepsDone = 0;
  cs::LrFinderPoint m_last;    // the latest step's point
  cs::LrFinderSettings m_ran;  // the settings of the test in progress or last run
  cs::LrFinderResult m_result;
  double m_suggested = 0;
  QElapsedTimer m_clock;
};

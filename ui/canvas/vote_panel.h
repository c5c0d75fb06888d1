// The Ensemble view's "Draw a digit" tab: the stored networks of the open run vote on a drawn
// digit. The canvas and its preprocessing are the Live view's; the vote table shows the votes and
// the mean probability per class, the summary the majority and the disagreement, and a click on
// a class lists the networks that chose it. The votes are taken on an EnsembleVoter thread; while
// one is taken, only the newest drawing waits.
#pragma once

#include <QThread>
#include <QWidget>
#include <vector>

#include "canvas/ensemble_vote.h"
#include "convscope/backend.h"
#include "predictions/class_names.h"

class DigitCanvas;
class EnsembleVoter;
class PixelImageView;
class QLabel;
class QTableView;
class VoteModel;

class VotePanel : public QWidget {
  Q_OBJECT

 public:
  explicit VotePanel(QWidget* parent = nullptr);
  ~VotePanel() override;

  // The run whose networks vote (run < 0: none), with the weights of its `epochs` recorded epochs:
  // when a run that trains records another, the vote reads its networks again.
  void setRun(const QString& storePath, qint64 run, int epochs, const cs::GroupConfig& group,
              const ClassNames& names);
  DigitCanvas* canvas() const { return m_canvas; }
  VoteModel* model() const { return m_model; }
  QTableView* table() const { return m_table; }
  // The networks voting for the selected class, as listed under the table.
  QString netsText() const;
  // The vote in words above the table (its majority, or why there is none).
  QString summaryText() const;
  void selectClass(int label);

 Q_SIGNALS:
  void voted(const EnsembleVote& vote);

 private:
  void onDrawingChanged();
  void send();
  // No vote shown: the table empty, the summary saying what to do, no networks listed.
  void clearVote();
  void onVoted(const EnsembleVote& vote);
  void showNets();

  DigitCanvas* m_canvas;
  PixelImageView* m_preview;
  VoteModel* m_model;
  QTableView* m_table;
  QLabel* m_summary;
  QLabel* m_nets;
  QThread m_thread;
  EnsembleVoter* m_voter;  // lives on m_thread
  QString m_storePath;
  qint64 m_run = -1;
  int m_epochs = 0;
  cs::GroupConfig m_group;
  std::vector<float> m_input;
  int m_inFlight = -1;
  bool m_dirty = false;
  int m_lastId = 0;
};

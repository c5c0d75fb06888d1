// The worker that lets a stored ensemble vote: on its own thread it keeps a CPU backend with the
// group of the run last asked for and its networks' stored weights (loaded once per run and
// epoch: a run that trains stores each epoch's), and
// answers each vote with every network's softmax on the image (Backend::predict per network).
#pragma once

#include <QObject>
#include <QString>
#include <memory>
#include <vector>

#include "canvas/ensemble_vote.h"
#include "convscope/backend.h"

class EnsembleVoter : public QObject {
  Q_OBJECT

 public:
  explicit EnsembleVoter(QObject* parent = nullptr);
  ~EnsembleVoter() override;

 public Q_SLOTS:
  // The networks of `run` in the store at `storePath` (group: the run's; epochs: those it has
  // recorded) on `image`, (C, H, W) in [0, 1]. Answers with voted(), an error in the vote when it
  // cannot.
  void vote(int id, const QString& storePath, qint64 run, int epochs, const cs::GroupConfig& group,
            const std::vector<float>& image);

 Q_SIGNALS:
  void voted(const EnsembleVote& vote);

 private:
  void load(const QString& storePath, qint64 run, int epochs, const cs::GroupConfig& group);

  std::unique_ptr<cs::Backend> m_backend;
  QString m_storePath;
  qint64 m_run = -1;
  int m_epochs = 0;  // m_run's recorded epochs when its weights were read
};

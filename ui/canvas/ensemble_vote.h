// The stored networks of an ensemble run voting on one drawn digit: each network's softmax, its
// top-1 vote, the vote counts and mean probability per class, the majority and how much the
// networks disagree (the fraction not voting for the majority, and the entropy of the votes).
#pragma once

#include <QMetaType>
#include <QString>
#include <vector>

#include "convscope/ensemble.h"

class EnsembleVote {
 public:
  EnsembleVote() = default;
  // probs: (nets, classes) softmax rows (cs::majority_vote()).
  EnsembleVote(std::vector<float> probs, int nets, int classes);

  int id = 0;               // the request's
  double milliseconds = 0;  // the predictions, weights loading excluded
  QString error;            // set when no vote could be taken

  int nets() const { return m_vote.nets; }
  int classes() const { return m_vote.classes; }
  bool isEmpty() const { return m_vote.nets == 0; }
  const float* probs(int net) const {
    return m_probs.data() + static_cast<size_t>(net) * m_vote.classes;
  }
  // The network's top-1 class, -1 when its probabilities are not numbers (no answer).
  int vote(int net) const { return m_vote.answers[static_cast<size_t>(net)]; }
  int votes(int label) const { return m_vote.counts[static_cast<size_t>(label)]; }
  // Over the networks that answer.
  double meanProbability(int label) const { return m_vote.mean[static_cast<size_t>(label)]; }
  // The class with the most votes (ties: the higher mean probability), -1 when empty or when no
  // network answers.
  int majority() const { return m_vote.majority; }
  int answered() const { return m_vote.answered; }
  // Fraction of networks not voting for the majority, in [0, 1] (1: none answers).
  double disagreement() const { return m_vote.disagreement(); }
  // Entropy of the votes in bits, no answer being one more: 0 when unanimous.
  double voteEntropy() const { return m_vote.entropy(); }
  // The networks (0-based) whose vote is `label`.
  std::vector<int> netsVoting(int label) const;

 private:
  std::vector<float> m_probs;  // (nets, classes)
  cs::MajorityVote m_vote;
};

Q_DECLARE_METATYPE(EnsembleVote)

// The stored networks of an ensemble run voting on one drawn digit: each network's softmax, its
// top-1 vote, the vote counts and mean probability per class, the majority and how much the
// networks disagree (the fraction not voting for the majority, and the entropy of the votes).
#pragma once

#include <QMetaType>
#include <QString>
#include <vector>

class EnsembleVote {
 public:
  EnsembleVote() = default;
  // probs: (nets, classes) softmax rows.
  EnsembleVote(std::vector<float> probs, int nets, int classes);

  int id = 0;               // the request's
  double milliseconds = 0;  // the predictions, weights loading excluded
  QString error;            // set when no vote could be taken

  int nets() const { return m_nets; }
  int classes() const { return m_classes; }
  bool isEmpty() const { return m_nets == 0; }
  const float* probs(int net) const {
    return m_probs.data() + static_cast<size_t>(net) * m_classes;
  }
  int vote(int net) const { return m_votes[static_cast<size_t>(net)]; }
  int votes(int label) const { return m_counts[static_cast<size_t>(label)]; }
  double meanProbability(int label) const { return m_mean[static_cast<size_t>(label)]; }
  // The class with the most votes (ties: the higher mean probability), -1 when empty.
  int majority() const { return m_majority; }
  // Fraction of networks not voting for the majority, in [0, 1).
  double disagreement() const;
  // Entropy of the vote distribution in bits: 0 when unanimous, log2(classes) at most.
  double voteEntropy() const;
  // The networks (0-based) whose vote is `label`.
  std::vector<int> netsVoting(int label) const;

 private:
  std::vector<float> m_probs;  // (nets, classes)
  std::vector<int> m_votes;    // (nets)
  std::vector<int> m_counts;   // (classes)
  std::vector<double> m_mean;  // (classes)
  int m_nets = 0, m_classes = 0;
  int m_majority = -1;
};

Q_DECLARE_METATYPE(EnsembleVote)

#include "canvas/ensemble_vote.h"

EnsembleVote::EnsembleVote(std::vector<float> probs, int nets, int classes)
    : m_probs(std::move(probs)), m_vote(cs::majority_vote(m_probs, nets, classes)) {}

std::vector<int> EnsembleVote::netsVoting(int label) const {
  std::vector<int> out;
  for (int n = 0; n < nets(); ++n)
    if (vote(n) == label) out.push_back(n);
  return out;
}

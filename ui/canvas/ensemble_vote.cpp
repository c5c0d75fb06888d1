#include "canvas/ensemble_vote.h"

#include <algorithm>
#include <cmath>

EnsembleVote::EnsembleVote(std::vector<float> probs, int nets, int classes)
    : m_probs(std::move(probs)),
      m_votes(static_cast<size_t>(nets)),
      m_counts(static_cast<size_t>(classes), 0),
      m_mean(static_cast<size_t>(classes), 0.0),
      m_nets(nets),
      m_classes(classes) {
  for (int n = 0; n < nets; ++n) {
    const float* p = this->probs(n);
    m_votes[n] = static_cast<int>(std::max_element(p, p + classes) - p);
    ++m_counts[m_votes[n]];
    for (int c = 0; c < classes; ++c) m_mean[c] += p[c] / nets;
  }
  if (nets == 0) return;
  m_majority = 0;
  for (int c = 1; c < classes; ++c)
    if (m_counts[c] > m_counts[m_majority] ||
        (m_counts[c] == m_counts[m_majority] && m_mean[c] > m_mean[m_majority]))
      m_majority = c;
}

double EnsembleVote::disagreement() const {
  if (m_nets == 0) return 0;
  return double(m_nets - m_counts[m_majority]) / m_nets;
}

double EnsembleVote::voteEntropy() const {
  double h = 0;
  for (int count : m_counts)
    if (count > 0) {
      const double p = double(count) / m_nets;
      h -= p * std::log2(p);
    }
  return h;
}

std::vector<int> EnsembleVote::netsVoting(int label) const {
  std::vector<int> out;
  for (int n = 0; n < m_nets; ++n)
    if (m_votes[n] == label) out.push_back(n);
  return out;
}

// Ensemble statistics. One pass over the nets accumulates, per image and class, the top-1 votes
// and the summed top-3 probabilities (net-major, matching EvalResult's layout); one pass over the
// images then derives every per-image number, the confusion matrix and the vote accuracy. A net
// without an answer for an image (cs::answered()) adds nothing for it (see ensemble.h).
#include "convscope/ensemble.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace cs {

namespace {

void check_input(const EvalResult& eval, std::span<const uint8_t> labels, int classes) {
  const auto fail = [](const std::string& what) {
    throw std::invalid_argument("ensemble statistics: " + what);
  };
  if (classes < 1 || classes > kMaxClasses)
    fail("classes must be in [1, " + std::to_string(kMaxClasses) + "]");
  if (eval.nets < 1 || eval.nets > 65535) fail("the group must have 1 to 65535 networks");
  if (eval.count < 0) fail("negative image count");
  const size_t cells = static_cast<size_t>(eval.nets) * eval.count;
  if (eval.top_labels.size() != cells * 3 || eval.top_probs.size() != cells * 3 ||
      eval.true_probs.size() != cells)
    fail("EvalResult arrays do not match nets x count");
  if (labels.size() != static_cast<size_t>(eval.count))
    fail(std::to_string(labels.size()) + " labels for " + std::to_string(eval.count) + " images");
  if (std::any_of(labels.begin(), labels.end(), [&](uint8_t l) { return l >= classes; }))
    fail("a validation label is out of range");
  if (std::any_of(eval.top_labels.begin(), eval.top_labels.end(),
                  [&](uint8_t l) { return l >= classes; }))
    fail("a predicted label is out of range");
}

void accuracy_spread(EnsembleStats& s) {
  const Distribution d = describe_distribution(s.net_accuracy);
  s.mean_accuracy = d.mean;
  s.std_accuracy = d.std;
  s.min_accuracy = d.min;
  s.max_accuracy = d.max;
}

}  // namespace

EnsembleStats compute_ensemble_stats(const EvalResult& eval, std::span<const uint8_t> labels,
                                     int classes) {
  check_input(eval, labels, classes);
  const int N = eval.nets, count = eval.count, K = classes;
  EnsembleStats s;
  s.nets = N;
  s.count = count;
  s.classes = K;

  // Accumulate over the nets, each reading its own contiguous (count, 3) block.
  std::vector<uint16_t>& votes = s.votes;
  votes.assign(static_cast<size_t>(count) * K, 0);
  std::vector<double> prob_sum(static_cast<size_t>(count) * K);  // (count, K) summed top-3 probs
  std::vector<double> true_sum(count);                           // (count)
  std::vector<uint16_t> answers(count);                          // (count) nets that answered
  s.class_images.assign(K, 0);
  std::vector<int> class_hits(K);
  for (int i = 0; i < count; ++i) ++s.class_images[labels[i]];
  const auto share = [&](int hits, int c) {
    return s.class_images[c] ? static_cast<float>(hits) / s.class_images[c]
                             : std::numeric_limits<float>::quiet_NaN();
  };
  s.net_accuracy.resize(N);
  s.net_class_accuracy.resize(static_cast<size_t>(N) * K);
  for (int n = 0; n < N; ++n) {
    const size_t base = static_cast<size_t>(n) * count;
    const uint8_t* top = eval.top_labels.data() + base * 3;
    const float* prob = eval.top_probs.data() + base * 3;
    const float* truep = eval.true_probs.data() + base;
    int hits = 0;
    std::fill(class_hits.begin(), class_hits.end(), 0);
    for (int i = 0; i < count; ++i) {
      const float* p = prob + 3 * i;
      if (!answered(eval, n, i)) continue;
      ++answers[i];
      true_sum[i] += truep[i];
      const size_t row = static_cast<size_t>(i) * K;
      votes[row + top[3 * i]]++;
      hits += top[3 * i] == labels[i];
      class_hits[labels[i]] += top[3 * i] == labels[i];
      for (int k = 0; k < 3; ++k) prob_sum[row + top[3 * i + k]] += p[k];
    }
    s.net_accuracy[n] = count ? static_cast<float>(hits) / count : 0.0f;
    for (int c = 0; c < K; ++c)
      s.net_class_accuracy[static_cast<size_t>(n) * K + c] = share(class_hits[c], c);
  }
  accuracy_spread(s);

  // -(c/N) log2(c/N) for every possible vote count c.
  std::vector<float> plogp(N + 1, 0.0f);
  for (int c = 1; c <= N; ++c) {
    const double p = static_cast<double>(c) / N;
    plogp[c] = static_cast<float>(-p * std::log2(p));
  }

  s.images.resize(count);
  s.vote_probs.resize(count);
  s.confusion.assign(static_cast<size_t>(K) * K, 0);
  int vote_hits = 0;
  std::fill(class_hits.begin(), class_hits.end(), 0);
  for (int i = 0; i < count; ++i) {
    const uint16_t* v = votes.data() + static_cast<size_t>(i) * K;
    const double* p = prob_sum.data() + static_cast<size_t>(i) * K;
    ImageStats& im = s.images[i];
    im.label = labels[i];
    im.wrong = static_cast<uint16_t>(N - v[im.label]);
    im.mean_true_prob = answers[i] ? static_cast<float>(true_sum[i] / answers[i])
                                   : std::numeric_limits<float>::quiet_NaN();
    float entropy = plogp[N - answers[i]];  // no answer counts as one more outcome
    for (int c = 0; c < K; ++c) {
      entropy += plogp[v[c]];
      s.confusion[static_cast<size_t>(im.label) * K + c] += v[c];
      if (c != im.label && v[c] > im.common_wrong) {
        im.common_wrong = v[c];
        im.common_wrong_label = static_cast<uint8_t>(c);
      }
      if (p[c] > p[im.vote]) im.vote = static_cast<uint8_t>(c);
    }
    im.disagreement = entropy;
    if (answers[i] == 0) {
      im.vote = kNoLabel;
      s.vote_probs[i] = std::numeric_limits<float>::quiet_NaN();
    } else {
      s.vote_probs[i] = static_cast<float>(p[im.vote] / answers[i]);
    }
    vote_hits += im.vote == im.label;
    class_hits[im.label] += im.vote == im.label;
  }
  s.vote_accuracy = count ? static_cast<double>(vote_hits) / count : 0.0;
  s.vote_class_accuracy.resize(K);
  for (int c = 0; c < K; ++c) s.vote_class_accuracy[c] = share(class_hits[c], c);

  s.ranking.resize(count);
  std::iota(s.ranking.begin(), s.ranking.end(), 0);
  // A NaN mean (no network answers the image) ranks as the least sure: the order stays a strict
  // weak one, which std::sort needs.
  const auto sureness = [&](int i) {
    const float p = s.images[i].mean_true_prob;
    return std::isnan(p) ? -1.f : p;
  };
  std::sort(s.ranking.begin(), s.ranking.end(), [&](int a, int b) {
    const ImageStats &x = s.images[a], &y = s.images[b];
    if (x.wrong != y.wrong) return x.wrong > y.wrong;
    if (sureness(a) != sureness(b)) return sureness(a) < sureness(b);
    return a < b;
  });
  return s;
}

MajorityVote majority_vote(std::span<const float> probs, int nets, int classes) {
  if (nets < 0 || classes < 1 || probs.size() != static_cast<size_t>(nets) * classes)
    throw std::invalid_argument("majority vote: " + std::to_string(probs.size()) +
                                " probabilities for " + std::to_string(nets) + " networks of " +
                                std::to_string(classes) + " classes");
  MajorityVote v;
  v.nets = nets;
  v.classes = classes;
  v.answers.assign(static_cast<size_t>(nets), -1);
  v.counts.assign(static_cast<size_t>(classes), 0);
  v.mean.assign(static_cast<size_t>(classes), 0.0);
  for (int n = 0; n < nets; ++n) {
    const float* p = probs.data() + static_cast<size_t>(n) * classes;
    if (std::any_of(p, p + classes, [](float x) { return std::isnan(x); })) continue;
    v.answers[n] = static_cast<int>(std::max_element(p, p + classes) - p);
    ++v.counts[v.answers[n]];
    ++v.answered;
    for (int c = 0; c < classes; ++c) v.mean[c] += p[c];
  }
  if (v.answered == 0) return v;
  for (double& m : v.mean) m /= v.answered;
  v.majority = 0;
  for (int c = 1; c < classes; ++c)
    if (v.counts[c] > v.counts[v.majority] ||
        (v.counts[c] == v.counts[v.majority] && v.mean[c] > v.mean[v.majority]))
      v.majority = c;
  return v;
}

double MajorityVote::disagreement() const {
  if (nets == 0) return 0;
  return static_cast<double>(nets - (majority < 0 ? 0 : counts[majority])) / nets;
}

double MajorityVote::entropy() const {
  const auto plogp = [this](int count) {
    const double p = static_cast<double>(count) / nets;
    return count > 0 ? -p * std::log2(p) : 0.0;
  };
  double h = plogp(nets - answered);
  for (int count : counts) h += plogp(count);
  return h;
}

Distribution class_accuracy_spread(const EnsembleStats& s, int c) {
  std::vector<float> column(static_cast<size_t>(s.nets));
  for (int n = 0; n < s.nets; ++n)
    column[n] = s.net_class_accuracy[static_cast<size_t>(n) * s.classes + c];
  return describe_distribution(column);
}

}  // namespace cs

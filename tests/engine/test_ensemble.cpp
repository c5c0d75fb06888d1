// Ensemble statistics: hand-built groups with known answers, then random groups checked against a
// straightforward per-image reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <stdexcept>

#include "convscope/ensemble.h"

namespace cs {
namespace {

struct Top3 {
  uint8_t label[3];
  float prob[3];
  float true_prob;
};

// nets x images of Top3, net-major as EvalResult lays them out.
EvalResult make_eval(const std::vector<std::vector<Top3>>& nets) {
  EvalResult r;
  r.nets = static_cast<int>(nets.size());
  r.count = static_cast<int>(nets[0].size());
  for (const auto& net : nets)
    for (const Top3& t : net) {
      r.top_labels.insert(r.top_labels.end(), t.label, t.label + 3);
      r.top_probs.insert(r.top_probs.end(), t.prob, t.prob + 3);
      r.true_probs.push_back(t.true_prob);
    }
  r.loss.assign(r.nets, 0.0f);
  r.accuracy.assign(r.nets, 0.0f);
  return r;
}

// Three images (labels 3, 1, 0) over four nets: unanimous right; plurality wrong (7) but the
// averaged top 3 votes for the true label; all wrong with a 2-2 tie in votes and probabilities.
EvalResult hand_built() {
  return make_eval({
      {{{3, 1, 2}, {0.9f, 0.05f, 0.05f}, 0.9f},
       {{7, 1, 2}, {0.5f, 0.4f, 0.1f}, 0.4f},
       {{5, 6, 0}, {0.625f, 0.375f, 0.0f}, 0.0f}},
      {{{3, 8, 9}, {0.8f, 0.1f, 0.1f}, 0.8f},
       {{7, 1, 3}, {0.5f, 0.45f, 0.05f}, 0.45f},
       {{6, 5, 0}, {0.625f, 0.375f, 0.0f}, 0.0f}},
      {{{3, 1, 2}, {0.7f, 0.2f, 0.1f}, 0.7f},
       {{2, 1, 7}, {0.6f, 0.3f, 0.1f}, 0.3f},
       {{5, 6, 1}, {0.75f, 0.25f, 0.0f}, 0.0f}},
      {{{3, 1, 2}, {0.6f, 0.3f, 0.1f}, 0.6f},
       {{1, 7, 2}, {0.9f, 0.05f, 0.05f}, 0.9f},
       {{6, 5, 1}, {0.75f, 0.25f, 0.0f}, 0.0f}},
  });
}
const std::vector<uint8_t> kHandLabels = {3, 1, 0};

TEST(Ensemble, HandBuiltPerImage) {
  const EnsembleStats s = compute_ensemble_stats(hand_built(), kHandLabels);
  ASSERT_EQ(s.images.size(), 3u);
  const ImageStats &a = s.images[0], &b = s.images[1], &c = s.images[2];

  EXPECT_EQ(a.label, 3);
  EXPECT_EQ(a.wrong, 0);
  EXPECT_EQ(a.common_wrong_label, kNoLabel);
  EXPECT_EQ(a.common_wrong, 0);
  EXPECT_EQ(a.vote, 3);
  EXPECT_FLOAT_EQ(a.disagreement, 0.0f);
  EXPECT_FLOAT_EQ(a.mean_true_prob, 0.75f);

  EXPECT_EQ(b.wrong, 3);
  EXPECT_EQ(b.common_wrong_label, 7);
  EXPECT_EQ(b.common_wrong, 2);
  EXPECT_EQ(b.vote, 1);                   // 1: 2.05 against 7: 1.15 and 2: 0.75
  EXPECT_FLOAT_EQ(b.disagreement, 1.5f);  // votes 2/4, 1/4, 1/4
  EXPECT_FLOAT_EQ(b.mean_true_prob, 0.5125f);

  EXPECT_EQ(c.wrong, 4);
  EXPECT_EQ(c.common_wrong_label, 5);  // 5 and 6 both twice: the smaller label
  EXPECT_EQ(c.common_wrong, 2);
  EXPECT_EQ(c.vote, 5);  // 5 and 6 both average 0.5: the smaller label
  EXPECT_FLOAT_EQ(c.disagreement, 1.0f);
  EXPECT_FLOAT_EQ(c.mean_true_prob, 0.0f);

  EXPECT_EQ(s.ranking, (std::vector<int>{2, 1, 0}));
  // The vote's averaged probability: (0.9 + 0.8 + 0.7 + 0.6) / 4, 2.05 / 4, (0.625 + 0.375 + 0.75
  // + 0.25) / 4.
  ASSERT_EQ(s.vote_probs.size(), 3u);
  EXPECT_FLOAT_EQ(s.vote_probs[0], 0.75f);
  EXPECT_FLOAT_EQ(s.vote_probs[1], 0.5125f);
  EXPECT_FLOAT_EQ(s.vote_probs[2], 0.5f);
}

TEST(Ensemble, HandBuiltGroup) {
  const EnsembleStats s = compute_ensemble_stats(hand_built(), kHandLabels);
  EXPECT_EQ(s.nets, 4);
  EXPECT_EQ(s.count, 3);
  EXPECT_EQ(s.classes, 10);
  ASSERT_EQ(s.net_accuracy.size(), 4u);
  for (int n = 0; n < 3; ++n) EXPECT_FLOAT_EQ(s.net_accuracy[n], 1.0f / 3);
  EXPECT_FLOAT_EQ(s.net_accuracy[3], 2.0f / 3);
  EXPECT_NEAR(s.mean_accuracy, 5.0 / 12, 1e-7);
  EXPECT_NEAR(s.std_accuracy, 1.0 / 6, 1e-7);  // sample standard deviation
  EXPECT_NEAR(s.min_accuracy, 1.0 / 3, 1e-7);
  EXPECT_NEAR(s.max_accuracy, 2.0 / 3, 1e-7);
  EXPECT_NEAR(s.vote_accuracy, 2.0 / 3, 1e-12);
  // Each class has one image: the 3 every network gets right, the 1 only network 3; the 0 none,
  // and the vote gets the 3 and the 1. Classes without images are NaN.
  ASSERT_EQ(s.net_class_accuracy.size(), 40u);
  ASSERT_EQ(s.vote_class_accuracy.size(), 10u);
  for (int n = 0; n < 4; ++n) {
    const float* a = s.net_class_accuracy.data() + n * 10;
    EXPECT_EQ(a[3], 1.0f) << "network " << n;
    EXPECT_EQ(a[1], n == 3 ? 1.0f : 0.0f) << "network " << n;
    EXPECT_EQ(a[0], 0.0f) << "network " << n;
    for (int c : {2, 4, 5, 6, 7, 8, 9}) EXPECT_TRUE(std::isnan(a[c])) << "class " << c;
  }
  EXPECT_EQ(s.vote_class_accuracy[3], 1.0f);
  EXPECT_EQ(s.vote_class_accuracy[1], 1.0f);
  EXPECT_EQ(s.vote_class_accuracy[0], 0.0f);
  EXPECT_TRUE(std::isnan(s.vote_class_accuracy[9]));

  ASSERT_EQ(s.confusion.size(), 100u);
  std::vector<int64_t> expected(100, 0);
  expected[3 * 10 + 3] = 4;
  expected[1 * 10 + 7] = 2;
  expected[1 * 10 + 2] = 1;
  expected[1 * 10 + 1] = 1;
  expected[0 * 10 + 5] = 2;
  expected[0 * 10 + 6] = 2;
  EXPECT_EQ(s.confusion, expected);
  EXPECT_EQ(std::accumulate(s.confusion.begin(), s.confusion.end(), int64_t{0}), 4 * 3);
}

// A network whose outputs overflowed (NaN probabilities, labels 0, 1, 2 as the backends give
// them) answers nothing: it is wrong on every image, its label 0 included, and leaves the vote
// to the others. Before, its NaN in the sums made class 0 the vote of every image.
TEST(Ensemble, ANetWithoutNumbersGivesNoAnswer) {
  constexpr float nan = std::numeric_limits<float>::quiet_NaN();
  EvalResult r = hand_built();
  const EvalResult four = r;
  r.nets = 5;
  for (int i = 0; i < 3; ++i) {
    r.top_labels.insert(r.top_labels.end(), {0, 1, 2});
    r.top_probs.insert(r.top_probs.end(), {nan, nan, nan});
    r.true_probs.push_back(nan);
  }
  r.loss.push_back(nan);
  r.accuracy.push_back(0);
  const EnsembleStats s = compute_ensemble_stats(r, kHandLabels);
  const EnsembleStats t = compute_ensemble_stats(four, kHandLabels);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(s.images[i].vote, t.images[i].vote) << "image " << i;
    EXPECT_FLOAT_EQ(s.vote_probs[i], t.vote_probs[i]) << "image " << i;
    EXPECT_EQ(s.images[i].wrong, t.images[i].wrong + 1) << "image " << i;
    EXPECT_FLOAT_EQ(s.images[i].mean_true_prob, t.images[i].mean_true_prob) << "image " << i;
  }
  EXPECT_EQ(s.images[0].vote, 3);
  EXPECT_EQ(s.images[2].wrong, 5);  // label 0, the diverged net's "top-1": still no hit
  EXPECT_EQ(s.images[2].common_wrong, t.images[2].common_wrong);
  EXPECT_FLOAT_EQ(s.net_accuracy[4], 0.0f);
  EXPECT_EQ(s.net_class_accuracy[4 * 10 + 0], 0.0f);
  EXPECT_NEAR(s.vote_accuracy, t.vote_accuracy, 1e-12);
  EXPECT_EQ(s.confusion, t.confusion);
  EXPECT_EQ(s.votes, t.votes);
  EXPECT_EQ(s.ranking, t.ranking);
  // Image 0: four answer 3, one does not: -(0.8 log2 0.8 + 0.2 log2 0.2).
  EXPECT_NEAR(s.images[0].disagreement, 0.7219281f, 1e-5);

  // No network answers: no vote, no vote probability, nothing counted.
  for (float& p : r.top_probs) p = nan;
  const EnsembleStats none = compute_ensemble_stats(r, kHandLabels);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(none.images[i].vote, kNoLabel) << "image " << i;
    EXPECT_TRUE(std::isnan(none.vote_probs[i])) << "image " << i;
    EXPECT_TRUE(std::isnan(none.images[i].mean_true_prob)) << "image " << i;
    EXPECT_EQ(none.images[i].wrong, 5) << "image " << i;
    EXPECT_EQ(none.images[i].common_wrong_label, kNoLabel) << "image " << i;
    EXPECT_FLOAT_EQ(none.images[i].disagreement, 0.0f) << "image " << i;
  }
  EXPECT_EQ(none.vote_accuracy, 0.0);
  EXPECT_EQ(none.vote_class_accuracy[0], 0.0f);
  EXPECT_EQ(std::accumulate(none.confusion.begin(), none.confusion.end(), int64_t{0}), 0);
}

// Whole softmax rows (predict, Draw a digit): the most answers win, ties to the higher mean
// probability, then to the smaller label; a row that is not numbers gives no answer.
TEST(MajorityVote, CountsAnswersAndLeavesOutRowsWithoutNumbers) {
  constexpr float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> probs = {
      0.1f, 0.7f, 0.2f,  // 1
      0.6f, 0.3f, 0.1f,  // 0
      nan,  nan,  nan,   // no answer
      0.2f, 0.5f, 0.3f,  // 1
      0.9f, 0.1f, nan,   // no answer: one not a number is enough
  };
  const MajorityVote v = majority_vote(probs, 5, 3);
  EXPECT_EQ(v.answers, (std::vector<int>{1, 0, -1, 1, -1}));
  EXPECT_EQ(v.counts, (std::vector<int>{1, 2, 0}));
  EXPECT_EQ(v.answered, 3);
  EXPECT_EQ(v.majority, 1);
  EXPECT_NEAR(v.mean[0], 0.9 / 3, 1e-6);  // over the three that answer
  EXPECT_NEAR(v.mean[1], 1.5 / 3, 1e-6);
  EXPECT_NEAR(v.disagreement(), 3.0 / 5, 1e-12);
  // Outcomes 2/5 (none), 2/5 (class 1), 1/5 (class 0).
  EXPECT_NEAR(v.entropy(), -2 * 0.4 * std::log2(0.4) - 0.2 * std::log2(0.2), 1e-9);

  // A tie in answers goes to the higher mean probability, then to the smaller label.
  EXPECT_EQ(majority_vote(std::vector<float>{0.6f, 0.4f, 0.0f, 0.2f, 0.7f, 0.1f}, 2, 3).majority,
            1);
  EXPECT_EQ(majority_vote(std::vector<float>{0.6f, 0.4f, 0.0f, 0.4f, 0.6f, 0.0f}, 2, 3).majority,
            0);
  const MajorityVote none = majority_vote(std::vector<float>(6, nan), 2, 3);
  EXPECT_EQ(none.majority, -1);
  EXPECT_EQ(none.answered, 0);
  EXPECT_EQ(none.disagreement(), 1.0);
  EXPECT_EQ(none.entropy(), 0.0);
  EXPECT_THROW(majority_vote(std::vector<float>(5, 0.2f), 2, 3), std::invalid_argument);
}

TEST(Ensemble, RankingTiesGoToLowerTrueProbThenIndex) {
  // Two nets, every image wrong by both: ranked by mean true probability, then by index.
  const auto wrong = [](float p) { return Top3{{1, 0, 2}, {0.5f, p, 0.0f}, p}; };
  const EvalResult r = make_eval({{wrong(0.3f), wrong(0.1f), wrong(0.3f), wrong(0.2f)},
                                  {wrong(0.3f), wrong(0.1f), wrong(0.3f), wrong(0.2f)}});
  const EnsembleStats s = compute_ensemble_stats(r, std::vector<uint8_t>{0, 0, 0, 0}, 3);
  EXPECT_EQ(s.ranking, (std::vector<int>{1, 3, 0, 2}));
  for (const ImageStats& im : s.images) EXPECT_EQ(im.wrong, 2);
}

// An image whose true probability is NaN (outputs that overflowed) ranks as the least sure among
// those wrong as often, and the others keep their order.
TEST(Ensemble, ANaNTrueProbRanksAsTheLeastSure) {
  const auto wrong = [](float p) { return Top3{{1, 0, 2}, {0.5f, p, 0.0f}, p}; };
  std::vector<Top3> net;
  for (int i = 0; i < 40; ++i)
    net.push_back(wrong(i % 3 == 0 ? NAN : 0.01f * static_cast<float>(i)));
  const EnsembleStats s =
      compute_ensemble_stats(make_eval({net, net}), std::vector<uint8_t>(40, 0), 3);
  std::vector<int> expected;
  for (int i = 0; i < 40; i += 3) expected.push_back(i);  // NaN, by index
  for (int i = 0; i < 40; ++i)
    if (i % 3 != 0) expected.push_back(i);  // then by true probability, which rises with i
  EXPECT_EQ(s.ranking, expected);
}

TEST(Ensemble, SingleNetHasNoSpread) {
  const EvalResult r = make_eval({{{{2, 0, 1}, {0.7f, 0.2f, 0.1f}, 0.7f}}});
  const EnsembleStats s = compute_ensemble_stats(r, std::vector<uint8_t>{2}, 3);
  EXPECT_EQ(s.std_accuracy, 0.0);
  EXPECT_EQ(s.mean_accuracy, 1.0);
  EXPECT_EQ(s.images[0].disagreement, 0.0f);
}

TEST(Ensemble, RejectsMismatchedInput) {
  const EvalResult r = hand_built();
  EXPECT_THROW(compute_ensemble_stats(r, std::vector<uint8_t>{3, 1}), std::invalid_argument);
  EXPECT_THROW(compute_ensemble_stats(r, std::vector<uint8_t>{3, 1, 10}), std::invalid_argument);
  EXPECT_THROW(compute_ensemble_stats(r, kHandLabels, 8), std::invalid_argument);  // label 9
  EvalResult short_probs = r;
  short_probs.true_probs.pop_back();
  EXPECT_THROW(compute_ensemble_stats(short_probs, kHandLabels), std::invalid_argument);
  EXPECT_THROW(compute_ensemble_stats(EvalResult{}, {}), std::invalid_argument);
}

// ---- random groups against a per-image reference ----

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

EvalResult random_eval(std::mt19937& rng, int nets, int count, int classes) {
  std::uniform_int_distribution<int> quarter(0, 16);
  EvalResult r;
  r.nets = nets;
  r.count = count;
  for (int n = 0; n < nets; ++n)
    for (int i = 0; i < count; ++i) {
      std::vector<int> order(classes);
      std::iota(order.begin(), order.end(), 0);
      std::shuffle(order.begin(), order.end(), rng);
      // One answer in 8 overflowed: NaN probabilities, labels 0, 1, 2 (as the backends give).
      const bool overflowed = quarter(rng) < 2;
      for (int k = 0; k < 3; ++k) {
        r.top_labels.push_back(static_cast<uint8_t>(overflowed ? k : order[k]));
        r.top_probs.push_back(overflowed ? kNaN : quarter(rng) / 16.0f);  // coarse: sums often tie
      }
      r.true_probs.push_back(overflowed ? kNaN : quarter(rng) / 16.0f);
    }
  r.loss.assign(nets, 0.0f);
  r.accuracy.assign(nets, 0.0f);
  return r;
}

// Whether network and image `cell` (n * count + i) has an answer: a best probability that is a
// number.
bool answered(const EvalResult& r, size_t cell) {
  return !std::isnan(r.top_probs[3 * cell]);
}

void expect_matches_reference(const EvalResult& r, const std::vector<uint8_t>& labels, int K) {
  const EnsembleStats s = compute_ensemble_stats(r, labels, K);
  const int N = r.nets, count = r.count;
  const auto at = [&](int n, int i) { return static_cast<size_t>(n) * count + i; };
  std::vector<int64_t> confusion(K * K, 0);
  int vote_hits = 0;
  for (int i = 0; i < count; ++i) {
    std::map<int, int> votes;
    std::vector<double> sum(K, 0.0);
    double true_sum = 0;
    int answers = 0;
    for (int n = 0; n < N; ++n) {
      if (!answered(r, at(n, i))) continue;
      ++answers;
      true_sum += r.true_probs[at(n, i)];
      votes[r.top_labels[at(n, i) * 3]]++;
      for (int k = 0; k < 3; ++k)
        sum[r.top_labels[at(n, i) * 3 + k]] += r.top_probs[at(n, i) * 3 + k];
    }
    int common = kNoLabel, common_count = 0;
    double entropy =
        answers < N ? -double(N - answers) / N * std::log2(double(N - answers) / N) : 0;
    for (const auto& [label, c] : votes) {
      confusion[labels[i] * K + label] += c;
      entropy -= double(c) / N * std::log2(double(c) / N);
      if (label != labels[i] && c > common_count) {
        common = label;
        common_count = c;
      }
    }
    const int vote = answers
                         ? static_cast<int>(std::max_element(sum.begin(), sum.end()) - sum.begin())
                         : kNoLabel;
    vote_hits += vote == labels[i];
    const ImageStats& im = s.images[i];
    ASSERT_EQ(im.label, labels[i]) << "image " << i;
    ASSERT_EQ(im.wrong, N - votes[labels[i]]) << "image " << i;
    for (int c = 0; c < K; ++c)
      ASSERT_EQ(s.votes[static_cast<size_t>(i) * K + c], votes.count(c) ? votes.at(c) : 0)
          << "image " << i << " class " << c;
    ASSERT_EQ(im.common_wrong_label, common) << "image " << i;
    ASSERT_EQ(im.common_wrong, common_count) << "image " << i;
    ASSERT_EQ(im.vote, vote) << "image " << i;
    ASSERT_NEAR(im.disagreement, entropy, 1e-5) << "image " << i;
    if (answers) {
      ASSERT_NEAR(im.mean_true_prob, true_sum / answers, 1e-6) << "image " << i;
      ASSERT_NEAR(s.vote_probs[i], sum[vote] / answers, 1e-6) << "image " << i;
    } else {
      ASSERT_TRUE(std::isnan(im.mean_true_prob)) << "image " << i;
      ASSERT_TRUE(std::isnan(s.vote_probs[i])) << "image " << i;
    }
  }
  EXPECT_EQ(s.confusion, confusion);
  EXPECT_NEAR(s.vote_accuracy, count ? double(vote_hits) / count : 0.0, 1e-12);

  for (int n = 0; n < N; ++n) {
    int hits = 0;
    for (int i = 0; i < count; ++i)
      hits += answered(r, at(n, i)) && r.top_labels[at(n, i) * 3] == labels[i];
    EXPECT_FLOAT_EQ(s.net_accuracy[n], count ? float(hits) / count : 0.0f);
  }
  // Each class's accuracy, of every network and of the vote, counted image by image (the vote's
  // from each image's vote, checked above).
  for (int c = 0; c < K; ++c) {
    const auto images = std::count(labels.begin(), labels.end(), c);
    for (int n = 0; n < N; ++n) {
      int hits = 0;
      for (int i = 0; i < count; ++i)
        hits += labels[i] == c && answered(r, at(n, i)) && r.top_labels[at(n, i) * 3] == labels[i];
      const float a = s.net_class_accuracy[static_cast<size_t>(n) * K + c];
      if (images == 0)
        EXPECT_TRUE(std::isnan(a));
      else
        EXPECT_FLOAT_EQ(a, float(hits) / float(images)) << "network " << n << " class " << c;
    }
    int vote_hits = 0;
    for (int i = 0; i < count; ++i) vote_hits += labels[i] == c && s.images[i].vote == c;
    if (images == 0)
      EXPECT_TRUE(std::isnan(s.vote_class_accuracy[c]));
    else
      EXPECT_FLOAT_EQ(s.vote_class_accuracy[c], float(vote_hits) / float(images));
  }

  std::vector<int> ranking(count);
  std::iota(ranking.begin(), ranking.end(), 0);
  std::stable_sort(ranking.begin(), ranking.end(), [&](int a, int b) {
    const ImageStats &x = s.images[a], &y = s.images[b];
    const auto sure = [](float p) { return std::isnan(p) ? -1.f : p; };
    return x.wrong != y.wrong ? x.wrong > y.wrong : sure(x.mean_true_prob) < sure(y.mean_true_prob);
  });
  EXPECT_EQ(s.ranking, ranking);
}

TEST(Ensemble, MatchesReferenceOnRandomGroups) {
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 40; ++trial) {
    const int N = std::uniform_int_distribution<int>(1, 60)(rng);
    const int count = std::uniform_int_distribution<int>(0, 200)(rng);
    const int K = std::uniform_int_distribution<int>(3, 12)(rng);
    const EvalResult r = random_eval(rng, N, count, K);
    std::vector<uint8_t> labels(count);
    for (auto& l : labels)
      l = static_cast<uint8_t>(std::uniform_int_distribution<int>(0, K - 1)(rng));
    SCOPED_TRACE("trial " + std::to_string(trial) + ": N=" + std::to_string(N) +
                 " count=" + std::to_string(count) + " classes=" + std::to_string(K));
    expect_matches_reference(r, labels, K);
  }
}

TEST(Ensemble, FiftyNetsTimesTenThousandImagesTiming) {
  std::mt19937 rng(7);
  const EvalResult r = random_eval(rng, 50, 10000, 10);
  std::vector<uint8_t> labels(10000);
  for (auto& l : labels) l = static_cast<uint8_t>(rng() % 10);
  const auto t0 = std::chrono::steady_clock::now();
  const EnsembleStats s = compute_ensemble_stats(r, labels);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("[ timing ] ensemble statistics, 50 nets x 10000 images: %.2f ms\n", ms);
  EXPECT_EQ(s.images.size(), 10000u);
  int64_t answers = 0;  // the confusion matrix counts every answer once
  for (size_t cell = 0; cell < 50 * 10000; ++cell) answers += answered(r, cell);
  EXPECT_EQ(std::accumulate(s.confusion.begin(), s.confusion.end(), int64_t{0}), answers);
  EXPECT_GT(answers, 50 * 10000 * 3 / 4);
}

}  // namespace
}  // namespace cs

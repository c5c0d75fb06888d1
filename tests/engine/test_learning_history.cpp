// Per-image learning history (forgetting events) on hand-made prediction sequences.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include <unistd.h>

#include "convscope/learning_history.h"

namespace cs {
namespace {

// Images 0..4 with labels 3, 1, 7, 0, 2 over five passes (eval_index 10, 20, ...):
//   image 0: right, right, right, right, right   unforgettable from the first pass
//   image 1: wrong, right, wrong, right, right   forgotten once, stable since 40
//   image 2: wrong, wrong, wrong, wrong, wrong   never learned
//   image 3: right, wrong, right, wrong, wrong   forgotten twice, not stable
//   image 4: wrong, wrong, right, wrong, right   forgotten once, stable since 50
LearningHistory five_passes() {
  LearningHistory h({3, 1, 7, 0, 2});
  const std::vector<std::vector<uint8_t>> passes = {
      {3, 4, 1, 0, 5}, {3, 1, 1, 9, 5}, {3, 2, 8, 0, 2}, {3, 1, 6, 8, 9}, {3, 1, 0, 6, 2}};
  for (int p = 0; p < 5; ++p) h.record({10 * (p + 1), 100LL * (p + 1), p}, passes[p]);
  return h;
}

// The definitions in learning_history.h read image by image, pass by pass: what the sweeps over
// every image at once must agree with.
struct ImageFacts {
  int forgotten = 0, first_learned = -1, stable_since = -1;
};

ImageFacts facts_of(const LearningHistory& h, int image) {
  ImageFacts f;
  for (int p = 0; p < h.passes(); ++p) {
    const bool right = h.correct(image, p);
    const int pass = h.points()[p].eval_index;
    if (p > 0 && h.correct(image, p - 1) && !right) ++f.forgotten;
    if (right && f.first_learned < 0) f.first_learned = pass;
    if (right && (p == 0 || !h.correct(image, p - 1))) f.stable_since = pass;
  }
  if (h.passes() == 0 || !h.correct(image, h.passes() - 1)) f.stable_since = -1;
  return f;
}

TEST(LearningHistory, ForgettingLearnedAndStable) {
  const LearningHistory h = five_passes();
  EXPECT_EQ(h.images(), 5);
  EXPECT_EQ(h.passes(), 5);
  EXPECT_EQ(h.forgetting_counts(), (std::vector<int>{0, 1, 0, 2, 1}));
  EXPECT_EQ(h.first_learned_all(), (std::vector<int>{10, 20, -1, 10, 30}));  // image 2 never
  EXPECT_EQ(h.stable_since_all(), (std::vector<int>{10, 40, -1, -1, 50}));
}

// Every image's at once (one sweep in memory order) is each image's, on the hand-made passes and
// on random ones, which have every kind of run; and on no passes.
TEST(LearningHistory, EveryImagesAtOnceIsEachImages) {
  LearningHistory random(std::vector<uint8_t>(300, 1));  // labels 1
  uint32_t state = 7;
  for (int p = 0; p < 40; ++p) {
    std::vector<uint8_t> top1(300);
    for (uint8_t& t : top1) {
      state = state * 1664525u + 1013904223u;
      t = (state >> 24) % 3 == 0 ? 2 : 1;  // right two times in three
    }
    random.record({3 * p + 1, 10LL * p, p}, top1);
  }
  const LearningHistory hand = five_passes(), none({1, 2});
  for (const LearningHistory* h : {&hand, static_cast<const LearningHistory*>(&random), &none}) {
    const std::vector<int> forgotten = h->forgetting_counts(), first = h->first_learned_all(),
                           stable = h->stable_since_all();
    for (int i = 0; i < h->images(); ++i) {
      const ImageFacts f = facts_of(*h, i);
      EXPECT_EQ(forgotten[i], f.forgotten) << "image " << i;
      EXPECT_EQ(first[i], f.first_learned) << "image " << i;
      EXPECT_EQ(stable[i], f.stable_since) << "image " << i;
    }
  }
}

TEST(LearningHistory, ClassAccuracyIsEachClasssShareRightAtEachPass) {
  // Classes 0 (images 0, 1), 1 (images 2, 3, 4) and 2 (none); a label 5 outside the classes.
  LearningHistory h({0, 0, 1, 1, 1, 5});
  h.record({1, 10, 0}, std::vector<uint8_t>{0, 1, 1, 0, 1, 5});
  h.record({2, 20, 0}, std::vector<uint8_t>{0, 0, 1, 1, 1, 4});
  const std::vector<double> a = h.class_accuracy(3);
  ASSERT_EQ(a.size(), 6u);
  EXPECT_DOUBLE_EQ(a[0], 0.5);
  EXPECT_DOUBLE_EQ(a[1], 2.0 / 3);
  EXPECT_TRUE(std::isnan(a[2]));
  EXPECT_DOUBLE_EQ(a[3], 1.0);
  EXPECT_DOUBLE_EQ(a[4], 1.0);
  EXPECT_TRUE(std::isnan(a[5]));
  EXPECT_TRUE(LearningHistory({0, 1}).class_accuracy(2).empty());
}

TEST(LearningHistory, TopOneAndCorrectOfAnImage) {
  const LearningHistory h = five_passes();
  const int top1[] = {0, 9, 0, 8, 6};
  const bool correct[] = {true, false, true, false, false};
  for (int p = 0; p < 5; ++p) {
    EXPECT_EQ(h.points()[p].eval_index, 10 * (p + 1));
    EXPECT_EQ(h.points()[p].step, 100 * (p + 1));
    EXPECT_EQ(h.points()[p].epoch, p);
    EXPECT_EQ(h.top1(3, p), top1[p]);
    EXPECT_EQ(h.correct(3, p), correct[p]);
  }
}

TEST(LearningHistory, EmptyHistory) {
  const LearningHistory h({1, 2});
  EXPECT_EQ(h.passes(), 0);
  EXPECT_EQ(h.forgetting_counts(), (std::vector<int>{0, 0}));
  EXPECT_EQ(h.first_learned_all(), (std::vector<int>{-1, -1}));
  EXPECT_EQ(h.stable_since_all(), (std::vector<int>{-1, -1}));
  EXPECT_EQ(h.to_csv(), "image,eval_index,step,top1,correct\n");
}

TEST(LearningHistory, RejectsBadInput) {
  LearningHistory h({1, 2, 3});
  const std::vector<uint8_t> two = {1, 2}, three = {1, 2, 3};
  EXPECT_THROW(h.record({0, 0, 0}, two), std::invalid_argument);
  h.record({5, 0, 0}, three);
  EXPECT_THROW(h.record({5, 1, 0}, three), std::invalid_argument);  // eval index repeats
  EXPECT_THROW(h.record({4, 1, 0}, three), std::invalid_argument);
  EXPECT_EQ(h.passes(), 1);
  EXPECT_THROW(h.top1(3, 0), std::out_of_range);
  EXPECT_THROW(h.correct(-1, 0), std::out_of_range);
  EXPECT_THROW(h.top1(0, 1), std::out_of_range);
}

TEST(LearningHistory, RecordsANetworkOfAnEvaluation) {
  EvalResult r;
  r.nets = 2, r.count = 3;
  // (net, image, 3) top labels: net 1 gets images 0 and 2 right.
  r.top_labels = {0, 1, 2, 0, 1, 2, 0, 1, 2,  //
                  1, 0, 2, 0, 1, 2, 3, 1, 2};
  r.top_probs.assign(r.top_labels.size(), 0.3f);
  LearningHistory h({1, 2, 3});
  h.record({1, 10, 1}, r, 1);
  EXPECT_TRUE(h.correct(0, 0));
  EXPECT_FALSE(h.correct(1, 0));
  EXPECT_TRUE(h.correct(2, 0));
  h.record({2, 20, 2}, r, 0);
  EXPECT_EQ(h.forgetting_counts(), (std::vector<int>{1, 0, 1}));
  EXPECT_THROW(h.record({3, 30, 3}, r, 2), std::invalid_argument);
  r.count = 2;
  EXPECT_THROW(h.record({3, 30, 3}, r, 0), std::invalid_argument);
  r.count = 3;
  r.top_probs.pop_back();
  EXPECT_THROW(h.record({3, 30, 3}, r, 0), std::invalid_argument);
}

// A network that gave no answer (its probabilities not numbers; the backends give it labels 0,
// 1, 2) is wrong there, on an image of a 0 too: its top-1 is kNoLabel, empty in the CSV.
TEST(LearningHistory, NoAnswerIsWrong) {
  constexpr float nan = std::numeric_limits<float>::quiet_NaN();
  EvalResult r;
  r.nets = 1, r.count = 2;
  r.top_labels = {0, 1, 2, 0, 1, 2};
  r.top_probs = {nan, nan, nan, 0.9f, 0.05f, 0.05f};
  LearningHistory h({0, 0});
  h.record({1, 10, 1}, r, 0);
  EXPECT_EQ(h.top1(0, 0), kNoLabel);
  EXPECT_FALSE(h.correct(0, 0));
  EXPECT_EQ(h.top1(1, 0), 0);
  EXPECT_TRUE(h.correct(1, 0));
  EXPECT_EQ(h.first_learned_all(), (std::vector<int>{-1, 1}));
  EXPECT_TRUE(std::isnan(h.class_accuracy(2)[1]));
  EXPECT_EQ(h.class_accuracy(2)[0], 0.5);
  EXPECT_EQ(h.to_csv(),
            "image,eval_index,step,top1,correct\n"
            "0,1,10,,0\n"
            "1,1,10,0,1\n");
}

TEST(LearningHistory, CsvExport) {
  LearningHistory h({4, 5});
  h.record({0, 0, 0}, std::vector<uint8_t>{4, 1});
  h.record({3, 938, 1}, std::vector<uint8_t>{2, 5});
  const std::string expected =
      "image,eval_index,step,top1,correct\n"
      "0,0,0,4,1\n"
      "0,3,938,2,0\n"
      "1,0,0,1,0\n"
      "1,3,938,5,1\n";
  EXPECT_EQ(h.to_csv(), expected);
  const auto path = std::filesystem::temp_directory_path() /
                    ("learning_history_" + std::to_string(::getpid()) + ".csv");
  h.write_csv(path.string());
  std::ifstream f(path);
  std::stringstream read;
  read << f.rdbuf();
  EXPECT_EQ(read.str(), expected);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace cs

namespace cs {
namespace {

// Three networks over three epochs, images with labels 1 and 2:
//   net 0: image 0 right, wrong, right (1 event);  image 1 wrong, wrong, right (0)
//   net 1: image 0 right, right, wrong (1 event);  image 1 right, wrong, right (1)
//   net 2: image 0 right, wrong, wrong (1 event);  image 1 right, right, right (0)
TEST(GroupLearning, SumsForgettingEventsAndCountsLearnedNetworks) {
  const std::vector<std::vector<std::vector<uint8_t>>> top1 = {
      {{1, 0}, {0, 0}, {1, 2}}, {{1, 2}, {1, 5}, {3, 2}}, {{1, 2}, {0, 2}, {4, 2}}};
  std::vector<LearningHistory> nets;
  for (const auto& passes : top1) {
    LearningHistory& h = nets.emplace_back(std::vector<uint8_t>{1, 2});
    for (int p = 0; p < 3; ++p) h.record({p, 10LL * p, p + 1}, passes[p]);
  }
  const GroupLearning g = group_learning(nets);
  EXPECT_EQ(g.nets, 3);
  EXPECT_EQ(g.images, 2);
  EXPECT_EQ(g.passes, 3);
  EXPECT_EQ(g.forgetting, (std::vector<int>{3, 1}));
  EXPECT_EQ(g.learned_at(0, 0), 3);
  EXPECT_EQ(g.learned_at(1, 0), 1);
  EXPECT_EQ(g.learned_at(2, 0), 1);
  EXPECT_EQ(g.learned_at(0, 1), 2);
  EXPECT_EQ(g.learned_at(1, 1), 1);
  EXPECT_EQ(g.learned_at(2, 1), 3);
}

TEST(GroupLearning, RefusesHistoriesThatDoNotLineUp) {
  std::vector<LearningHistory> nets;
  nets.emplace_back(std::vector<uint8_t>{1, 2}).record({0, 0, 1}, std::vector<uint8_t>{1, 2});
  nets.emplace_back(std::vector<uint8_t>{1, 2});  // no passes
  EXPECT_THROW(group_learning(nets), std::invalid_argument);
  nets.back().record({1, 0, 1}, std::vector<uint8_t>{1, 2});  // another eval index
  EXPECT_THROW(group_learning(nets), std::invalid_argument);
  EXPECT_EQ(group_learning({}).nets, 0);
}

}  // namespace
}  // namespace cs

// Per-image learning history (forgetting events) on hand-made prediction sequences.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
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

TEST(LearningHistory, ForgettingEvents) {
  const LearningHistory h = five_passes();
  EXPECT_EQ(h.images(), 5);
  EXPECT_EQ(h.passes(), 5);
  const int forgotten[] = {0, 1, 0, 2, 1};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(h.times_forgotten(i), forgotten[i]) << "image " << i;
  EXPECT_EQ(h.forgetting_counts(), std::vector<int>(forgotten, forgotten + 5));
}

TEST(LearningHistory, LearnedNeverLearnedStable) {
  const LearningHistory h = five_passes();
  EXPECT_EQ(h.first_learned(0), 10);
  EXPECT_EQ(h.first_learned(1), 20);
  EXPECT_EQ(h.first_learned(2), -1);
  EXPECT_EQ(h.first_learned(3), 10);
  EXPECT_EQ(h.first_learned(4), 30);
  EXPECT_TRUE(h.never_learned(2));
  EXPECT_FALSE(h.never_learned(3));
  EXPECT_EQ(h.stable_since(0), 10);
  EXPECT_EQ(h.stable_since(1), 40);
  EXPECT_EQ(h.stable_since(2), -1);
  EXPECT_EQ(h.stable_since(3), -1);
  EXPECT_EQ(h.stable_since(4), 50);
  const bool unforgettable[] = {true, false, false, false, false};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(h.unforgettable(i), unforgettable[i]) << "image " << i;
}

// Every image's at once (one sweep in memory order) is each image's, on the hand-made passes and
// on random ones, which have every kind of run; and on no passes.
TEST(LearningHistory, EveryImagesAtOnceIsEachImages) {
  const auto each = [](const LearningHistory& h, int (LearningHistory::*of)(int) const) {
    std::vector<int> v;
    for (int i = 0; i < h.images(); ++i) v.push_back((h.*of)(i));
    return v;
  };
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
    EXPECT_EQ(h->first_learned_all(), each(*h, &LearningHistory::first_learned));
    EXPECT_EQ(h->stable_since_all(), each(*h, &LearningHistory::stable_since));
  }
  EXPECT_EQ(hand.stable_since_all(), (std::vector<int>{10, 40, -1, -1, 50}));
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

TEST(LearningHistory, Strip) {
  const LearningHistory h = five_passes();
  const std::vector<StripEntry> s = h.strip(3);
  ASSERT_EQ(s.size(), 5u);
  const int top1[] = {0, 9, 0, 8, 6};
  const bool correct[] = {true, false, true, false, false};
  for (int p = 0; p < 5; ++p) {
    EXPECT_EQ(s[p].point.eval_index, 10 * (p + 1));
    EXPECT_EQ(s[p].point.step, 100 * (p + 1));
    EXPECT_EQ(s[p].point.epoch, p);
    EXPECT_EQ(s[p].top1, top1[p]);
    EXPECT_EQ(s[p].correct, correct[p]);
    EXPECT_EQ(h.top1(3, p), top1[p]);
    EXPECT_EQ(h.correct(3, p), correct[p]);
  }
}

TEST(LearningHistory, EmptyHistory) {
  const LearningHistory h({1, 2});
  EXPECT_EQ(h.passes(), 0);
  EXPECT_EQ(h.times_forgotten(0), 0);
  EXPECT_EQ(h.first_learned(0), -1);
  EXPECT_TRUE(h.never_learned(1));
  EXPECT_EQ(h.stable_since(1), -1);
  EXPECT_FALSE(h.unforgettable(0));
  EXPECT_TRUE(h.strip(0).empty());
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
  EXPECT_THROW(h.times_forgotten(3), std::out_of_range);
  EXPECT_THROW(h.times_forgotten(-1), std::out_of_range);
  EXPECT_THROW(h.top1(0, 1), std::out_of_range);
}

TEST(LearningHistory, RecordsANetworkOfAnEvaluation) {
  EvalResult r;
  r.nets = 2, r.count = 3;
  // (net, image, 3) top labels: net 1 gets images 0 and 2 right.
  r.top_labels = {0, 1, 2, 0, 1, 2, 0, 1, 2,  //
                  1, 0, 2, 0, 1, 2, 3, 1, 2};
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

// The store's per-epoch top-1 labels: written with every epoch, kept across reopening, absent
// (not an error) for runs of a version 2 store, damaged rows refused, and the group learning
// figures built from them.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "convscope/store.h"
#include "store_test_util.h"

namespace cs {
namespace {

using namespace store_test;

std::vector<uint8_t> top1_of(const EvalResult& e, int net) {
  std::vector<uint8_t> out;
  for (int i = 0; i < e.count; ++i) out.push_back(e.top_labels[(size_t(net) * e.count + i) * 3]);
  return out;
}

std::vector<uint8_t> as_vector(std::span<const uint8_t> s) {
  return {s.begin(), s.end()};
}

// A run of 3 networks on 50 images with `epochs` recorded epochs; evals[e - 1] is epoch e's.
struct Recorded {
  int64_t run = 0;
  std::vector<EvalResult> evals;
};

Recorded record(Store& store, int epochs, bool finish = true) {
  Recorded r;
  r.run = store.begin_run(make_setup(3, 50, 7));
  for (int e = 1; e <= epochs; ++e) {
    r.evals.push_back(make_eval(3, 50, 100 + e));
    store.record_epoch(r.run, make_metrics(e, r.evals.back()), r.evals.back());
  }
  if (finish) store.finish_run(r.run);
  return r;
}

void expect_history(const EpochTop1& h, const Recorded& r) {
  ASSERT_EQ(h.nets, 3);
  ASSERT_EQ(h.epochs, static_cast<int>(r.evals.size()));
  ASSERT_EQ(h.count, 50);
  for (int n = 0; n < 3; ++n)
    for (int e = 1; e <= h.epochs; ++e)
      EXPECT_EQ(as_vector(h.at(n, e)), top1_of(r.evals[e - 1], n)) << "net " << n << " epoch " << e;
}

TEST(StoreHistory, EveryEpochIsKeptAndSurvivesReopening) {
  TempDir dir;
  const std::string path = dir.file("s.db");
  Recorded r;
  {
    Store store(path);
    r = record(store, 1, false);
    expect_history(store.load_epoch_top1(r.run), r);
    const EvalResult e2 = make_eval(3, 50, 102), e3 = make_eval(3, 50, 103);
    store.record_epoch(r.run, make_metrics(2, e2), e2);
    store.record_epoch(r.run, make_metrics(3, e3), e3);
    r.evals.push_back(e2);
    r.evals.push_back(e3);
    store.finish_run(r.run);
    expect_history(store.load_epoch_top1(r.run), r);
    // The full predictions are still the latest epoch's only.
    EXPECT_EQ(count_rows(path, "SELECT count(*) FROM predictions"), 3);
    EXPECT_EQ(count_rows(path, "SELECT count(*) FROM epoch_top1"), 9);
  }
  Store reader(path, StoreAccess::ReadOnly);
  expect_history(reader.load_epoch_top1(r.run), r);
  EXPECT_THROW(reader.load_epoch_top1(r.run + 1), StoreError);
  // The run with its history, in one snapshot; without, none.
  const StoredRun whole = reader.load_run(r.run, true);
  expect_history(whole.history, r);
  EXPECT_EQ(whole.history.epochs, whole.info.epochs_done);
  EXPECT_TRUE(reader.load_run(r.run).history.empty());
}

TEST(StoreHistory, RunWithoutEpochsHasNoHistoryAndDeletingRemovesIt) {
  TempDir dir;
  const std::string path = dir.file("s.db");
  Store store(path);
  const Recorded empty = record(store, 0, false);
  EXPECT_TRUE(store.load_epoch_top1(empty.run).empty());
  const Recorded r = record(store, 2);
  EXPECT_TRUE(store.delete_run(r.run));
  EXPECT_EQ(count_rows(path, "SELECT count(*) FROM epoch_top1"), 0);
}

TEST(StoreHistory, VersionTwoStoreIsUpgradedAndItsOldRunsHaveNoHistory) {
  TempDir dir;
  const std::string path = dir.file("v2.db");
  make_store(path);  // run 1, one epoch
  raw_sql(path, kToVersion7);
  raw_sql(path,
          "DROP TABLE epoch_top1; DROP TABLE epoch_warnings; DROP TABLE net_states; DROP TABLE "
          "stopped_nets; DROP TABLE stopped_epochs; "
          "PRAGMA user_version = 2");
  {
    Store reader(path, StoreAccess::ReadOnly);  // read as it is: no table, no history
    EXPECT_TRUE(reader.load_epoch_top1(1).empty());
    EXPECT_EQ(reader.load_run(1).info.epochs_done, 1);
  }
  EXPECT_EQ(count_rows(path, "PRAGMA user_version"), 2);
  Store store(path);  // upgraded on opening for writing
  EXPECT_EQ(count_rows(path, "PRAGMA user_version"), kCurrentVersion);
  EXPECT_TRUE(store.load_epoch_top1(1).empty());
  EXPECT_EQ(store.load_run(1).info.epochs_done, 1);
  const Recorded r = record(store, 2);
  expect_history(store.load_epoch_top1(r.run), r);
}

// Version 3 had no epoch_warnings: read as it is, its runs have none; opened for writing, it
// gains the table and a new run's warnings are kept.
TEST(StoreHistory, VersionThreeStoreGainsEpochWarnings) {
  TempDir dir;
  const std::string path = dir.file("v3.db");
  make_store(path);
  raw_sql(path, kToVersion7);
  raw_sql(path,
          "DROP TABLE epoch_warnings; DROP TABLE net_states; DROP TABLE stopped_nets; DROP TABLE "
          "stopped_epochs; PRAGMA user_version = 3");
  {
    Store reader(path, StoreAccess::ReadOnly);
    EXPECT_EQ(reader.load_run(1).epochs.at(0).warning, "");
  }
  Store store(path);
  EXPECT_EQ(count_rows(path, "PRAGMA user_version"), kCurrentVersion);
  const int64_t id = store.begin_run(make_setup(3, 2000, 1));
  const EvalResult e = make_eval(3, 2000, 2);
  EpochMetrics m = make_metrics(1, e);
  m.warning = "all 3 networks are not learning after 100 steps";
  store.record_epoch(id, m, e);
  EXPECT_EQ(store.load_run(id).epochs.at(0).warning, m.warning);
  store.finish_run(id);
  EXPECT_TRUE(store.delete_run(id));
  EXPECT_EQ(count_rows(path, "SELECT count(*) FROM epoch_warnings"), 0);
}

TEST(StoreHistory, DamagedRowsAreRefused) {
  const struct {
    const char* name;
    const char* sql;
    const char* message;
  } cases[] = {
      {"short blob", "UPDATE epoch_top1 SET top1 = zeroblob(49) WHERE net = 1 AND epoch = 2",
       "network 1 hold 49 of 50 images"},
      {"long blob", "UPDATE epoch_top1 SET top1 = zeroblob(51) WHERE net = 0 AND epoch = 1",
       "network 0 hold 51 of 50 images"},
      {"missing network", "DELETE FROM epoch_top1 WHERE net = 2 AND epoch = 1",
       "do not follow epochs 1 to 2 of 3 networks"},
      {"missing last epoch", "DELETE FROM epoch_top1 WHERE epoch = 2", "stop at epoch 1 of 2"},
      {"stray epoch", "INSERT INTO epoch_top1 VALUES (1, 0, 3, zeroblob(50))",
       "do not follow epochs 1 to 2"},
      // Said so, without first asking for room for 3 x 2e9 x 50 labels.
      {"huge epochs_done", "UPDATE runs SET epochs_done = 2000000000",
       "stop at epoch 2 of 2000000000"},
      {"negative epochs_done", "UPDATE runs SET epochs_done = -1", "epochs_done is -1"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    TempDir dir;
    const std::string path = dir.file("s.db");
    {
      Store store(path);
      record(store, 2);
    }
    raw_sql(path, c.sql);
    Store store(path, StoreAccess::ReadOnly);
    try {
      store.load_epoch_top1(1);
      ADD_FAILURE() << "no StoreError";
    } catch (const StoreError& e) {
      EXPECT_NE(std::string(e.what()).find("run 1 is damaged"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
    }
  }
}

// Two networks, four images, three epochs with hand-made top-1 labels.
TEST(StoreHistory, EpochLearningCountsForgettingAcrossNetworksAndNetsRightPerEpoch) {
  const std::vector<uint8_t> labels = {1, 2, 3, 4};
  EpochTop1 h;
  h.nets = 2;
  h.epochs = 3;
  h.count = 4;
  h.top1 = {
      1, 0, 3, 0,  // net 0, epoch 1: images 0, 2 right
      0, 2, 3, 0,  // net 0, epoch 2: image 0 forgotten, 1 learned
      1, 2, 0, 0,  // net 0, epoch 3: image 2 forgotten
      1, 2, 0, 0,  // net 1, epoch 1
      0, 0, 0, 0,  // net 1, epoch 2: images 0 and 1 forgotten
      1, 2, 0, 0,  // net 1, epoch 3
  };
  const GroupLearning g = epoch_learning(h, labels);
  EXPECT_EQ(g.nets, 2);
  EXPECT_EQ(g.passes, 3);
  EXPECT_EQ(g.forgetting, (std::vector<int>{2, 1, 1, 0}));
  const int expected[3][4] = {{2, 1, 1, 0}, {0, 1, 1, 0}, {2, 2, 0, 0}};
  for (int p = 0; p < 3; ++p)
    for (int i = 0; i < 4; ++i) EXPECT_EQ(g.learned_at(p, i), expected[p][i]) << p << "," << i;
  EXPECT_TRUE(epoch_learning(EpochTop1{}, labels).forgetting.empty());
  EXPECT_THROW(epoch_learning(h, {1, 2, 3}), std::invalid_argument);
}

// The same epochs class by class: each network's share of a class's images right at each epoch,
// (epochs, nets, classes); NaN for a class without images (0 and 5 here).
TEST(StoreHistory, EpochClassAccuracyIsEachNetworksShareOfEachClassAtEachEpoch) {
  const std::vector<uint8_t> labels = {1, 2, 1, 4};
  const EpochTop1 h{2,
                    2,
                    4,  // nets, epochs, images
                    {
                        1, 2, 0, 0,  // net 0, epoch 1: one 1 of two, the 2, not the 4
                        1, 0, 1, 4,  // net 0, epoch 2: both 1s, not the 2, the 4
                        0, 0, 0, 4,  // net 1, epoch 1: the 4 only
                        1, 2, 1, 4,  // net 1, epoch 2: all
                    }};
  const std::vector<double> a = epoch_class_accuracy(h, labels, 6);
  ASSERT_EQ(a.size(), 2u * 2u * 6u);
  const auto at = [&](int epoch, int net, int c) { return a[(epoch * 2 + net) * 6 + c]; };
  const float expected[2][2][3] = {{{0.5f, 1, 0}, {0, 0, 1}}, {{1, 0, 1}, {1, 1, 1}}};
  for (int e = 0; e < 2; ++e)
    for (int n = 0; n < 2; ++n) {
      EXPECT_EQ(at(e, n, 1), expected[e][n][0]) << e << "," << n;
      EXPECT_EQ(at(e, n, 2), expected[e][n][1]) << e << "," << n;
      EXPECT_EQ(at(e, n, 4), expected[e][n][2]) << e << "," << n;
      for (int c : {0, 3, 5}) EXPECT_TRUE(std::isnan(at(e, n, c))) << e << "," << n << "," << c;
    }
  EXPECT_TRUE(epoch_class_accuracy(EpochTop1{}, labels, 6).empty());
  EXPECT_THROW(epoch_class_accuracy(h, {1, 2, 3}, 6), std::invalid_argument);
}

// A network without an answer at an epoch (its probabilities not numbers; the backends give it
// labels 0, 1, 2) is kept as kNoLabel, so it is not right on the images of a 0 there: before, its
// label 0 was stored and counted as learned.
TEST(StoreHistory, NoAnswerIsStoredAsNoLabelAndIsWrong) {
  TempDir dir;
  Store store(dir.file("s.db"));
  const int64_t run = store.begin_run(make_setup(3, 50, 7));
  EvalResult e = make_eval(3, 50, 101);
  for (int i = 0; i < 50; ++i) {  // net 1 overflowed
    const size_t cell = (50 + static_cast<size_t>(i)) * 3;
    std::fill_n(e.top_probs.begin() + cell, 3, std::numeric_limits<float>::quiet_NaN());
    for (int k = 0; k < 3; ++k) e.top_labels[cell + k] = static_cast<uint8_t>(k);
  }
  store.record_epoch(run, make_metrics(1, e), e);
  const EpochTop1 h = store.load_epoch_top1(run);
  EXPECT_EQ(as_vector(h.at(1, 1)), std::vector<uint8_t>(50, kNoLabel));
  EXPECT_EQ(as_vector(h.at(0, 1)), top1_of(e, 0));
  const std::vector<uint8_t> zeros(50, 0);
  const GroupLearning g = epoch_learning(h, zeros);
  for (int i = 0; i < 50; ++i) {
    const int right =
        (e.top_labels[size_t(i) * 3] == 0) + (e.top_labels[(100 + size_t(i)) * 3] == 0);
    EXPECT_EQ(g.learned_at(0, i), right) << "image " << i;
  }
}

}  // namespace
}  // namespace cs

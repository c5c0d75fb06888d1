// The store's sweep records: version 1 stores gain the sweep tables, two processes starting the
// same sweep get one, and a deleted sweep keeps or deletes its runs, never while it or one of
// them is being trained.
#include <gtest/gtest.h>

#include <thread>

#include "convscope/store.h"
#include "store_test_util.h"

namespace cs {
namespace {

using store_test::TempDir;

TEST(SweepStore, VersionOneStoresGainTheSweepTables) {
  TempDir dir;
  const std::string path = dir.file("v1.db");
  store_test::make_store(path);
  store_test::raw_sql(path, store_test::kToVersion7);
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "DROP TABLE sweep_configs; DROP TABLE sweeps; DROP TABLE epoch_top1; "
                           "DROP TABLE epoch_warnings; DROP TABLE net_states; DROP TABLE "
                           "stopped_nets; DROP TABLE stopped_epochs; PRAGMA user_version = 1",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  {
    Store reader(path, StoreAccess::ReadOnly);  // read as it is
    EXPECT_TRUE(reader.list_sweeps().empty());
    EXPECT_EQ(reader.find_sweep("{}"), -1);
    EXPECT_EQ(reader.list_runs().size(), 1u);
  }
  EXPECT_EQ(store_test::count_rows(path, "PRAGMA user_version"), 1);
  Store store(path);  // upgraded on opening for writing
  EXPECT_EQ(store_test::count_rows(path, "PRAGMA user_version"),
            store_test::kCurrentVersion);  // the current version
  const int64_t id = store.begin_sweep("{}", {"lr=1", "lr=2"});
  EXPECT_EQ(store.find_sweep("{}"), id);
  store.set_sweep_run(id, 1, 1);
  const SweepRecord rec = store.load_sweep(id);
  ASSERT_EQ(rec.configs.size(), 2u);
  EXPECT_EQ(rec.configs[0].run, -1);
  EXPECT_EQ(rec.configs[1].run, 1);
  EXPECT_TRUE(rec.configs[1].finished());
  EXPECT_EQ(rec.finished(), 1);
  EXPECT_THROW(store.set_sweep_run(id, 2, 1), StoreError);
  EXPECT_THROW(store.load_sweep(id + 1), StoreError);
  EXPECT_TRUE(store.delete_run(1));
  EXPECT_EQ(store.load_sweep(id).configs[1].run, -1);  // its run deleted: pending again
}

// A sweep's run is begun as its configuration's in one transaction: a configuration the sweep
// does not have leaves no run behind.
TEST(SweepStore, ARunIsBegunAsItsConfigurationsOrNotAtAll) {
  TempDir dir;
  Store store(dir.file("runs.db"));
  const int64_t sweep = store.begin_sweep("{}", {"lr=1", "lr=2"});
  const int64_t run = store.begin_run(store_test::make_setup(2, 20, 0), {sweep, 1});
  EXPECT_EQ(store.load_sweep(sweep).configs[1].run, run);
  EXPECT_EQ(store.list_runs().at(0).sweep.config, 1);
  try {
    store.begin_run(store_test::make_setup(2, 20, 1), {sweep, 2});
    ADD_FAILURE() << "a run of no configuration";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("sweep 1 has no configuration 2"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(store.list_runs().size(), 1u);
}

// Two processes (Stores on two threads) starting the same sweeps at once get one sweep each.
TEST(SweepStore, FindOrBeginGivesEveryoneTheSameSweep) {
  TempDir dir;
  const std::string path = dir.file("runs.db");
  Store a(path), b(path);
  const int64_t id = a.find_or_begin_sweep("{\"lr\": 1}", {"lr=1"});
  EXPECT_EQ(b.find_or_begin_sweep("{\"lr\": 1}", {"lr=1"}), id);
  EXPECT_THROW(b.find_or_begin_sweep("{\"lr\": 2}", {}), StoreError);  // no configurations
  EXPECT_EQ(a.list_sweeps().size(), 1u);
  constexpr int kSweeps = 40;
  const auto start = [&](Store& store, std::vector<int64_t>& ids) {
    for (int n = 0; n < kSweeps; ++n)
      ids.push_back(store.find_or_begin_sweep("{\"n\": " + std::to_string(n) + "}", {"lr=1"}));
  };
  std::vector<int64_t> ids_a, ids_b;
  std::thread other([&] { start(b, ids_b); });
  start(a, ids_a);
  other.join();
  EXPECT_EQ(ids_a, ids_b);
  EXPECT_EQ(a.list_sweeps().size(), 1u + kSweeps);
}

// A store with a sweep of 3 configurations whose first two have finished runs, and a run of no
// sweep; returns the sweep.
int64_t sweep_with_runs(Store& store) {
  std::vector<int64_t> runs;
  for (int n = 0; n < 3; ++n) {
    runs.push_back(store.begin_run(store_test::make_setup(2, 20, n)));
    const EvalResult e = store_test::make_eval(2, 20, n);
    store.record_epoch(runs.back(), store_test::make_metrics(1, e), e);
    store.finish_run(runs.back());
  }
  const int64_t sweep = store.begin_sweep("{}", {"lr=1", "lr=2", "lr=3"});
  store.set_sweep_run(sweep, 0, runs[0]);
  store.set_sweep_run(sweep, 1, runs[1]);
  return sweep;
}

TEST(SweepStore, ADeletedSweepKeepsOrDeletesItsRuns) {
  TempDir dir;
  Store store(dir.file("runs.db"));
  int64_t sweep = sweep_with_runs(store);
  EXPECT_FALSE(store.delete_sweep(sweep + 1, true));
  EXPECT_TRUE(store.delete_sweep(sweep, false));
  EXPECT_TRUE(store.list_sweeps().empty());
  std::vector<RunSummary> runs = store.list_runs();
  ASSERT_EQ(runs.size(), 3u);
  for (const RunSummary& r : runs) EXPECT_EQ(r.sweep.sweep, 0) << "run " << r.id;  // no sweep's

  sweep = sweep_with_runs(store);  // runs 4-6, 4 and 5 in the sweep
  EXPECT_TRUE(store.delete_sweep(sweep, true));
  EXPECT_FALSE(store.delete_sweep(sweep, true));
  runs = store.list_runs();
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_EQ(runs[0].id, 6);
  EXPECT_EQ(runs[1].id, 3);
  EXPECT_EQ(store_test::count_rows(store.path(), "SELECT count(*) FROM sweep_configs"), 0);
}

TEST(SweepStore, ASweepOrItsRunBeingTrainedIsNotDeleted) {
  TempDir dir;
  const std::string path = dir.file("runs.db");
  Store store(path);
  const int64_t sweep = sweep_with_runs(store);
  {
    Store other(path);  // another process, as the locks see it
    ASSERT_TRUE(other.hold_sweep(sweep));
    EXPECT_THROW(store.delete_sweep(sweep, false), StoreError);
  }
  // A run of the sweep being trained (continued elsewhere): the sweep keeps it and the others.
  Store other(path);
  other.continue_run(1, 2);
  try {
    store.delete_sweep(sweep, true);
    ADD_FAILURE() << "deleted while its run 1 trains";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("its run 1 is being trained"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(store.list_sweeps().size(), 1u);
  EXPECT_EQ(store.list_runs().size(), 3u);
  // A deletion holds the sweep while it deletes (a resume would wait for it), then lets it go:
  // a refused one too.
  EXPECT_TRUE(other.hold_sweep(sweep));
  other.release_sweep(sweep);
  EXPECT_TRUE(store.delete_sweep(sweep, false));  // its runs kept: allowed
  const int64_t next = sweep_with_runs(store);
  EXPECT_TRUE(store.delete_sweep(next, false));
  EXPECT_TRUE(other.hold_sweep(next));
}

}  // namespace
}  // namespace cs

// Deleting from the run store: a deletion's space goes back to the disk at once (and an older
// store's after one compact()), and a deleted run's or sweep's id is never given again.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "convscope/store.h"
#include "store_test_util.h"

namespace cs {
namespace {

namespace fs = std::filesystem;
using namespace store_test;

// `runs` finished runs of 4 networks x 10,000 images x 3 epochs (about 1 MB each) in a new store
// at `path`, closed again (no write-ahead log left).
std::vector<int64_t> store_runs(const std::string& path, int runs) {
  Store store(path);
  std::vector<int64_t> ids;
  for (int run = 0; run < runs; ++run) {
    ids.push_back(store.begin_run(make_setup(4, 10000, 1)));
    for (int epoch = 1; epoch <= 3; ++epoch) {
      const EvalResult e = make_eval(4, 10000, epoch);
      store.record_epoch(ids.back(), make_metrics(epoch, e), e);
    }
    store.finish_run(ids.back());
  }
  return ids;
}

TEST(StoreDelete, ADeletedRunsSpaceGoesBackAtOnce) {
  TempDir dir;
  const std::string path = dir.file("s.db");
  const std::vector<int64_t> ids = store_runs(path, 2);
  const uintmax_t both = Store::disk_size(path);
  Store store(path);
  EXPECT_TRUE(store.frees_deleted_space());
  ASSERT_TRUE(store.delete_run(ids[0]));
  // The write-ahead log too: it had the deleted and moved pages.
  EXPECT_LT(Store::disk_size(path), both * 6 / 10) << both << " bytes before";
  EXPECT_EQ(store.load_run(ids[1]).epochs.size(), 3u);
  ASSERT_TRUE(store.delete_sweep(store.begin_sweep("d", {"a"}), false));
  EXPECT_EQ(store.load_run(ids[1]).epochs.size(), 3u);
  // All or none.
  EXPECT_THROW(store.delete_runs({ids[1], 99}), StoreError);
  EXPECT_EQ(store.list_runs().size(), 1u);
  store.delete_runs({ids[1]});
  EXPECT_TRUE(store.list_runs().empty());
  { Store empty(dir.file("empty.db")); }
  EXPECT_LE(Store::disk_size(path), fs::file_size(dir.file("empty.db")) + 2 * 16384);  // 2 pages
}

// A store from before deletions gave their space back keeps the pages for later rows; compact()
// gives them back and makes it a store whose deletions do so at once.
TEST(StoreDelete, CompactGivesAnOlderStoresSpaceBack) {
  TempDir dir;
  const std::string path = dir.file("s.db");
  const std::vector<int64_t> ids = store_runs(path, 3);
  raw_sql(path, "PRAGMA auto_vacuum = NONE; VACUUM");
  ASSERT_EQ(count_rows(path, "PRAGMA auto_vacuum"), 0);
  const uintmax_t all = Store::disk_size(path);
  Store store(path);
  EXPECT_FALSE(store.frees_deleted_space());
  ASSERT_TRUE(store.delete_run(ids[0]));
  EXPECT_GE(fs::file_size(path), all);
  store.compact();
  EXPECT_EQ(count_rows(path, "PRAGMA auto_vacuum"), 2);  // incremental
  EXPECT_TRUE(store.frees_deleted_space());
  const uintmax_t two = Store::disk_size(path);
  EXPECT_LT(two, all * 8 / 10) << all << " bytes before, " << two << " after";
  ASSERT_TRUE(store.delete_run(ids[1]));
  EXPECT_LT(Store::disk_size(path), two * 7 / 10) << two << " bytes before";
  EXPECT_EQ(store.load_run(ids[2]).epochs.size(), 3u);
}

// Compacting rewrites the whole file: while a run of the store is trained or a sweep is held, it
// is refused and the file stays as it was; once they have stopped, it compacts.
TEST(StoreDelete, CompactWaitsForTrainingToStop) {
  TempDir dir;
  const std::string path = dir.file("s.db");
  const std::vector<int64_t> ids = store_runs(path, 2);
  Store store(path);
  ASSERT_TRUE(store.delete_run(ids[0]));
  const auto refused = [&](const std::string& says) {
    try {
      store.compact();
      ADD_FAILURE() << "compacted while " << says;
    } catch (const StoreError& e) {
      EXPECT_NE(std::string(e.what()).find(says + " is being trained; compact the store once it "
                                                  "has stopped"),
                std::string::npos)
          << e.what();
    }
  };
  {
    Store trainer(path);  // another process
    const int64_t run = trainer.begin_run(store_test::make_setup(2, 20, 0));
    refused("run " + std::to_string(run));
    trainer.finish_run(run);
    const int64_t sweep = trainer.begin_sweep("{}", {"lr=1"});
    ASSERT_TRUE(trainer.hold_sweep(sweep));
    refused("sweep " + std::to_string(sweep));
  }
  store.compact();
  EXPECT_TRUE(store.frees_deleted_space());
}

// "Run 12" names one run for the store's life: SQLite alone would give a deleted newest run's id to
// the next. A version 7 store gains the record on opening; another Store sees it.
TEST(StoreDelete, ADeletedRunsOrSweepsIdIsNotGivenAgain) {
  TempDir dir;
  const std::string path = dir.file("s.db");
  make_store(path);  // run 1
  raw_sql(path, kToVersion7);
  Store store(path);
  const auto finished_run = [&](Store& s) {
    const int64_t id = s.begin_run(make_setup(2, 10, 1));
    s.finish_run(id);
    return id;
  };
  const int64_t second = finished_run(store);
  EXPECT_EQ(second, 2);
  ASSERT_TRUE(store.delete_run(second));
  const int64_t third = finished_run(store);
  EXPECT_EQ(third, 3);
  store.delete_runs({1, third});
  EXPECT_TRUE(store.list_runs().empty());
  Store other(path);
  EXPECT_EQ(finished_run(other), 4);
  const int64_t sweep = store.begin_sweep("a", {"x"});
  store.set_sweep_run(sweep, 0, finished_run(store));  // run 5
  ASSERT_TRUE(store.delete_sweep(sweep, true));
  EXPECT_EQ(other.begin_sweep("b", {"y"}), sweep + 1);
  EXPECT_EQ(finished_run(other), 6);
}

}  // namespace
}  // namespace cs

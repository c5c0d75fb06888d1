// Shared by the store tests: a temporary folder and synthetic runs (setup, evaluation, metrics).
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>

#include "convscope/store.h"

namespace cs::store_test {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string t = (fs::temp_directory_path() / "convscope-store-XXXXXX").string();
    if (!mkdtemp(t.data())) throw std::runtime_error("mkdtemp failed");
    m_path = t;
  }
  ~TempDir() { fs::remove_all(m_path); }
  std::string file(const std::string& name) const { return (m_path / name).string(); }

 private:
  fs::path m_path;
};

// A file's bytes (empty when it cannot be read).
inline std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Runs SQL on a database with plain SQLite (to make foreign or altered files).
inline void raw_sql(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

// The store version this build writes (store_schema.h's kSchemaVersion).
inline constexpr int kCurrentVersion = 12;
// Makes a current store one of version 11, before label smoothing: SQL for raw_sql().
inline constexpr const char* kToVersion11 =
    "ALTER TABLE runs DROP COLUMN label_smoothing; PRAGMA user_version = 11";
// Makes a current store one of version 10, before random shifts.
inline constexpr const char* kToVersion10 =
    "ALTER TABLE runs DROP COLUMN label_smoothing; ALTER TABLE runs DROP COLUMN augment_shift; "
    "PRAGMA user_version = 10";
// Makes a current store one of version 9, before weight decay.
inline constexpr const char* kToVersion9 =
    "ALTER TABLE runs DROP COLUMN label_smoothing; ALTER TABLE runs DROP COLUMN augment_shift; "
    "ALTER TABLE runs DROP COLUMN weight_decay; "
    "PRAGMA user_version = 9";
// Makes a current store one of version 8, before learning-rate schedules.
inline constexpr const char* kToVersion8 =
    "ALTER TABLE runs DROP COLUMN label_smoothing; ALTER TABLE runs DROP COLUMN augment_shift; "
    "ALTER TABLE runs DROP COLUMN weight_decay; "
    "ALTER TABLE runs DROP COLUMN lr_schedule; PRAGMA user_version = 8";
// Makes a current store one of version 7, before retired ids: run before the older versions' own.
inline constexpr const char* kToVersion7 =
    "ALTER TABLE runs DROP COLUMN label_smoothing; ALTER TABLE runs DROP COLUMN augment_shift; "
    "ALTER TABLE runs DROP COLUMN weight_decay; "
    "ALTER TABLE runs DROP COLUMN lr_schedule; DROP TRIGGER retire_run_id; "
    "DROP TRIGGER retire_sweep_id; DROP TABLE retired_ids; PRAGMA user_version = 7";

inline RunSetup make_setup(int nets, int count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  TrainConfig cfg;
  cfg.group.spec = NetworkSpec::parse("c3x4:tanh:same:s2-m2-d32:sigmoid-d10", {3, 16, 16}, 10);
  cfg.group.optimizer = OptimizerConfig::defaults(OptimizerKind::RmsProp);
  cfg.group.optimizer.lr = 0.0123f;
  cfg.group.optimizer.momentum = 0.25f;
  cfg.group.seeds.clear();
  for (int n = 0; n < nets; ++n) cfg.group.seeds.push_back(rng());  // high bit set in some
  cfg.group.batch_size = 32;
  cfg.group.shuffle_seed = 0xFEDCBA9876543210ull;
  cfg.group.per_net_shuffle = true;
  cfg.epochs = 2;
  Dataset train, val;
  train.name = "mnist/train";
  train.sha256 = std::string(64, 'a');
  val.name = "mnist/test";
  val.sha256 = std::string(64, 'b');
  for (int i = 0; i < count; ++i) val.labels.push_back(static_cast<uint8_t>(rng() % 10));
  return RunSetup::from(cfg, train, val, {"cpu", "2 CPU threads"}, "0.1.0-test");
}

inline EvalResult make_eval(int nets, int count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  EvalResult r;
  r.nets = nets;
  r.count = count;
  for (int n = 0; n < nets; ++n) {
    r.loss.push_back(u(rng) * 2);
    r.accuracy.push_back(u(rng));
  }
  const size_t cells = static_cast<size_t>(nets) * count;
  for (size_t c = 0; c < cells * 3; ++c) {
    r.top_labels.push_back(static_cast<uint8_t>(rng() % 10));
    r.top_probs.push_back(u(rng));
  }
  for (size_t c = 0; c < cells; ++c) r.true_probs.push_back(u(rng));
  return r;
}

inline EpochMetrics make_metrics(int epoch, const EvalResult& r) {
  EpochMetrics m;
  m.epoch = epoch;
  m.train_loss = 0.5 / epoch + 1e-9;
  m.val_loss = 0.6 / epoch;
  m.val_accuracy = 0.9 + 0.01 * epoch;
  m.train_accuracy = 0.8 + 0.01 * epoch;
  m.seconds = 1.25 * epoch;
  m.net_val_loss = r.loss;
  m.net_val_accuracy = r.accuracy;
  return m;
}

// A store with one finished run (3 networks, 2000 images, one epoch), closed.
inline void make_store(const std::string& path) {
  Store store(path);
  const int64_t id = store.begin_run(make_setup(3, 2000, 1));
  const EvalResult e = make_eval(3, 2000, 2);
  store.record_epoch(id, make_metrics(1, e), e);
  store.finish_run(id);
}

// The first column of the first row of `sql` (a count), read with plain SQLite; -1 if none.
inline int64_t count_rows(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_stmt* st = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
  const int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

// A store of an older `version` (made current by make_store(), then taken back by `downgrade`,
// one of the kToVersion SQL texts) with run 1, whose RunInfo it gives as read read-only, the file
// checked to stay at `version`.
inline RunInfo older_store_run(const std::string& path, const char* downgrade, int version) {
  make_store(path);
  raw_sql(path, downgrade);
  RunInfo run = Store(path, StoreAccess::ReadOnly).load_run_info(1);
  EXPECT_EQ(count_rows(path, "PRAGMA user_version"), version) << "read-only, it stays as it is";
  return run;
}

}  // namespace cs::store_test

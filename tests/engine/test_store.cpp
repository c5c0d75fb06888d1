// The run store: exact round trips, listing and deleting, interrupted and crashed runs, files it
// must refuse without touching them, weights blobs, and the load time of a 50-network run.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>

#include "convscope/store.h"
#include "store_test_util.h"

namespace cs {
namespace {

namespace fs = std::filesystem;
using namespace store_test;

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

void expect_same(const EvalResult& a, const EvalResult& b) {
  EXPECT_EQ(a.nets, b.nets);
  EXPECT_EQ(a.count, b.count);
  EXPECT_EQ(a.loss, b.loss);
  EXPECT_EQ(a.accuracy, b.accuracy);
  EXPECT_EQ(a.top_labels, b.top_labels);
  EXPECT_EQ(a.top_probs, b.top_probs);
  EXPECT_EQ(a.true_probs, b.true_probs);
}

void expect_same(const EpochMetrics& a, const EpochMetrics& b) {
  EXPECT_EQ(a.epoch, b.epoch);
  EXPECT_EQ(a.train_loss, b.train_loss);
  EXPECT_EQ(a.val_loss, b.val_loss);
  EXPECT_EQ(a.val_accuracy, b.val_accuracy);
  EXPECT_EQ(a.train_accuracy, b.train_accuracy);
  EXPECT_EQ(a.seconds, b.seconds);
  EXPECT_EQ(a.net_val_loss, b.net_val_loss);
  EXPECT_EQ(a.net_val_accuracy, b.net_val_accuracy);
  EXPECT_EQ(a.warning, b.warning);
}

void expect_same(const RunSetup& a, const RunSetup& b) {
  EXPECT_EQ(a.group.spec, b.group.spec);
  const OptimizerConfig &o = a.group.optimizer, &p = b.group.optimizer;
  EXPECT_EQ(o.kind, p.kind);
  EXPECT_EQ(o.to_string(), p.to_string());
  EXPECT_EQ(o.lr, p.lr);
  EXPECT_EQ(o.beta1, p.beta1);
  EXPECT_EQ(o.beta2, p.beta2);
  EXPECT_EQ(o.epsilon, p.epsilon);
  EXPECT_EQ(o.momentum, p.momentum);
  EXPECT_EQ(o.rho, p.rho);
  EXPECT_EQ(o.initial_accumulator, p.initial_accumulator);
  EXPECT_EQ(a.group.seeds, b.group.seeds);
  EXPECT_EQ(a.group.batch_size, b.group.batch_size);
  EXPECT_EQ(a.group.shuffle_seed, b.group.shuffle_seed);
  EXPECT_EQ(a.group.per_net_shuffle, b.group.per_net_shuffle);
  EXPECT_EQ(a.epochs, b.epochs);
  EXPECT_EQ(a.train_name, b.train_name);
  EXPECT_EQ(a.train_sha256, b.train_sha256);
  EXPECT_EQ(a.val_name, b.val_name);
  EXPECT_EQ(a.val_sha256, b.val_sha256);
  EXPECT_EQ(a.val_labels, b.val_labels);
  EXPECT_EQ(a.backend.kind, b.backend.kind);
  EXPECT_EQ(a.backend.device, b.backend.device);
  EXPECT_EQ(a.app_version, b.app_version);
}

// The run ended with `status` after one recorded epoch, whose evaluation was `eval`.
void expect_ended_after_one_epoch(const StoredRun& run, RunStatus status, const EvalResult& eval) {
  EXPECT_EQ(run.info.status, status);
  EXPECT_EQ(run.info.epochs_done, 1);
  expect_same(run.eval, eval);
}

bool is_iso8601_utc(const std::string& s) {  // 2024-05-01T12:34:56.789Z
  int y, mo, d, h, mi;
  double sec;
  char z = 0;
  return s.size() == 24 &&
         std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%6lf%c", &y, &mo, &d, &h, &mi, &sec, &z) ==
             7 &&
         z == 'Z';
}

TEST(Store, RoundTripThreeNetsTwoEpochs) {
  TempDir dir;
  const std::string path = dir.file("nested/folder/convscope.db");  // folders are created
  const RunSetup setup = make_setup(3, 500, 1);
  const EvalResult e1 = make_eval(3, 500, 2), e2 = make_eval(3, 500, 3);
  EpochMetrics m2 = make_metrics(2, e2);
  m2.warning = "network 1 of 3 is not learning after 200 steps: …";  // the first has none
  int64_t id = 0;
  {
    Store store(path);
    id = store.begin_run(setup);
    store.record_epoch(id, make_metrics(1, e1), e1);
    store.record_epoch(id, m2, e2);
    store.finish_run(id);
  }
  Store store(path);
  const StoredRun run = store.load_run(id);
  expect_same(run.info.setup, setup);
  EXPECT_EQ(run.info.id, id);
  EXPECT_EQ(run.info.status, RunStatus::Finished);
  EXPECT_TRUE(is_iso8601_utc(run.info.created)) << run.info.created;
  EXPECT_TRUE(is_iso8601_utc(run.info.ended)) << run.info.ended;
  EXPECT_GE(run.info.ended, run.info.created);
  EXPECT_GE(run.info.wall_seconds, 0.0);
  EXPECT_LT(run.info.wall_seconds, 600.0);
  EXPECT_EQ(run.info.epochs_done, 2);
  EXPECT_DOUBLE_EQ(run.info.train_seconds, 1.25 + 2.5);
  ASSERT_EQ(run.epochs.size(), 2u);
  expect_same(run.epochs[0], make_metrics(1, e1));
  expect_same(run.epochs[1], m2);
  EXPECT_EQ(count_rows(path, "SELECT count(*) FROM epoch_warnings"), 1);
  expect_same(run.eval, e2);
  // Only the latest epoch's predictions are kept.
  EXPECT_EQ(count_rows(path, "SELECT count(*) FROM predictions"), 3);
  EXPECT_EQ(count_rows(path, "SELECT min(epoch) FROM predictions"), 2);
}

TEST(Store, RecordEpochChecksItsInput) {
  TempDir dir;
  Store store(dir.file("s.db"));
  const int64_t id = store.begin_run(make_setup(2, 50, 1));
  const EvalResult e = make_eval(2, 50, 2);
  EXPECT_THROW(store.record_epoch(id, make_metrics(1, e), make_eval(3, 50, 2)), StoreError);
  EXPECT_THROW(store.record_epoch(id, make_metrics(1, e), make_eval(2, 49, 2)), StoreError);
  EXPECT_THROW(store.record_epoch(id + 1, make_metrics(1, e), e), StoreError);
  store.record_epoch(id, make_metrics(1, e), e);
  EXPECT_THROW(store.record_epoch(id, make_metrics(1, e), e), StoreError);  // not after 1
  store.cancel_run(id);
  EXPECT_THROW(store.finish_run(id), StoreError);
  EXPECT_THROW(store.record_epoch(id, make_metrics(2, e), e), StoreError);
  const StoredRun run = store.load_run(id);
  expect_ended_after_one_epoch(run, RunStatus::Cancelled, e);
}

// A network whose weights and optimizer slots pass SQLite's row limit is refused when its run
// begins, not at its first recorded epoch after training it.
TEST(Store, ANetworkTooLargeToStoreIsRefusedBeforeItsRunBegins) {
  TempDir dir;
  Store store(dir.file("s.db"));
  RunSetup setup = make_setup(1, 10, 1);
  setup.group.spec = NetworkSpec::parse("d107000-d10", {1, 28, 28}, 10);   // 85,065,010
  setup.group.optimizer = OptimizerConfig::defaults(OptimizerKind::Adam);  // x 12 bytes
  try {
    store.begin_run(setup);
    ADD_FAILURE() << "accepted";
  } catch (const StoreError& e) {
    EXPECT_STREQ(e.what(),
                 "a network of 85065010 parameters trained with adam is 1020780120 bytes to "
                 "store, the run store's limit is 999000000: use fewer parameters or an "
                 "optimizer with fewer slots (sgd has none)");
  }
  EXPECT_TRUE(store.list_runs().empty());
  setup.group.optimizer = OptimizerConfig::defaults(OptimizerKind::Sgd);  // x 4 bytes
  EXPECT_NO_THROW(store.begin_run(setup));
}

TEST(Store, ListAndDelete) {
  TempDir dir;
  const std::string path = dir.file("s.db");
  Store store(path);
  std::vector<int64_t> ids;
  for (int nets : {1, 4, 2}) {
    const int64_t id = store.begin_run(make_setup(nets, 20, nets));
    EvalResult e = make_eval(nets, 20, nets);
    e.accuracy.assign(nets, 0.25f * nets);
    store.record_epoch(id, make_metrics(1, e), e);
    ids.push_back(id);
  }
  store.finish_run(ids[0]);
  std::vector<RunSummary> list = store.list_runs();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].id, ids[2]);  // newest first
  EXPECT_EQ(list[2].id, ids[0]);
  EXPECT_EQ(list[1].nets, 4);
  EXPECT_DOUBLE_EQ(list[1].mean_accuracy, 1.0);
  EXPECT_EQ(list[2].status, RunStatus::Finished);
  EXPECT_EQ(list[0].status, RunStatus::Running);
  EXPECT_EQ(list[0].epochs_done, 1);
  EXPECT_EQ(list[0].epochs, 2);
  EXPECT_EQ(list[0].spec, "c3x4:tanh:same:s2-m2-d32:sigmoid-d10");
  EXPECT_EQ(list[0].optimizer, make_setup(1, 1, 1).group.optimizer.to_string());
  EXPECT_EQ(list[0].train_name, "mnist/train");
  EXPECT_EQ(list[0].backend, "cpu");

  // A run being recorded is not deleted, here or from another Store (another process).
  EXPECT_THROW(store.delete_run(ids[1]), StoreError);
  EXPECT_THROW(Store(path).delete_run(ids[1]), StoreError);
  EXPECT_EQ(store.list_runs().size(), 3u);
  store.cancel_run(ids[1]);
  EXPECT_TRUE(Store(path).delete_run(ids[1]));
  EXPECT_FALSE(store.delete_run(ids[1]));
  EXPECT_THROW(store.load_run(ids[1]), StoreError);
  list = store.list_runs();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, ids[2]);
  EXPECT_EQ(list[1].id, ids[0]);
  for (const char* table : {"networks", "epochs", "net_epochs", "predictions"})
    EXPECT_EQ(count_rows(path, (std::string("SELECT count(*) FROM ") + table +
                                " WHERE run_id = " + std::to_string(ids[1]))
                                   .c_str()),
              0)
        << table;
}

TEST(Store, DroppedStoreLeavesRunInterruptedWithEpochOne) {
  TempDir dir;
  const std::string path = dir.file("s.db");
  const EvalResult e1 = make_eval(3, 100, 5);
  int64_t id = 0;
  {
    Store store(path);
    id = store.begin_run(make_setup(3, 100, 4));
    store.record_epoch(id, make_metrics(1, e1), e1);
  }
  Store store(path);
  const StoredRun run = store.load_run(id);
  expect_ended_after_one_epoch(run, RunStatus::Interrupted, e1);
  EXPECT_TRUE(is_iso8601_utc(run.info.ended));
  ASSERT_EQ(run.epochs.size(), 1u);
  EXPECT_THROW(store.record_epoch(id, make_metrics(2, e1), e1), StoreError);
}

// A stopped run that recorded every epoch it planned (2) can be marked finished, keeping when it
// ended; a run still running, one with an epoch to go, or one finished already cannot.
TEST(Store, AStoppedRunWithEveryEpochRecordedCanBeMarkedFinished) {
  TempDir dir;
  const std::string path = dir.file("s.db");
  const EvalResult e = make_eval(3, 100, 5);
  int64_t whole = 0, short_run = 0;
  {
    Store store(path);
    whole = store.begin_run(make_setup(3, 100, 4));
    short_run = store.begin_run(make_setup(3, 100, 4));
    store.record_epoch(whole, make_metrics(1, e), e);
    store.record_epoch(short_run, make_metrics(1, e), e);
    EXPECT_THROW(store.finish_recorded_run(whole), StoreError);  // running
    store.record_epoch(whole, make_metrics(2, e), e);
    EXPECT_THROW(store.finish_recorded_run(whole), StoreError);
  }  // both interrupted
  Store store(path);
  const std::string ended = store.load_run_info(whole).ended;
  try {
    store.finish_recorded_run(short_run);
    ADD_FAILURE() << "a run with an epoch to go was finished";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("recorded 1 of its 2 epochs"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(store.load_run_info(short_run).status, RunStatus::Interrupted);
  store.finish_recorded_run(whole);
  const RunInfo info = store.load_run_info(whole);
  EXPECT_EQ(info.status, RunStatus::Finished);
  EXPECT_EQ(info.ended, ended);
  EXPECT_THROW(store.finish_recorded_run(whole), StoreError);  // finished already
  EXPECT_THROW(store.finish_recorded_run(whole + 100), StoreError);
}

TEST(Store, CrashedProcessRunIsInterruptedOnNextOpen) {
  TempDir dir;
  const std::string path = dir.file("s.db");
  const EvalResult e1 = make_eval(3, 100, 5);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // records one epoch, then dies without closing anything
    try {
      Store store(path);
      const int64_t id = store.begin_run(make_setup(3, 100, 4));
      store.record_epoch(id, make_metrics(1, e1), e1);
      _exit(0);  // inside the scope: ~Store never runs
    } catch (...) {
      _exit(2);
    }
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  // A destructor did not run (the WAL is still there); the next open finds the process gone.
  ASSERT_GT(fs::file_size(path + "-wal"), 0u);
  Store store(path);
  const std::vector<RunSummary> list = store.list_runs();
  ASSERT_EQ(list.size(), 1u);
  const StoredRun run = store.load_run(list[0].id);
  expect_ended_after_one_epoch(run, RunStatus::Interrupted, e1);
}

TEST(Store, RunOfAnotherLivingStoreStaysRunning) {
  TempDir dir;
  const std::string path = dir.file("s.db");
  Store writer(path);
  const int64_t id = writer.begin_run(make_setup(1, 10, 1));
  {
    Store other(path);  // same process, another open file: the lock is seen
    EXPECT_EQ(other.load_run(id).info.status, RunStatus::Running);
  }
  writer.finish_run(id);
  EXPECT_EQ(Store(path).load_run(id).info.status, RunStatus::Finished);
}

// Opening `path` throws a StoreError whose message has `expect`, and leaves the bytes unchanged.
void expect_refused(const std::string& path, const std::string& expect) {
  const std::string before = file_bytes(path);
  try {
    Store store(path);
    ADD_FAILURE() << path << " opened; expected an error with \"" << expect << "\"";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find(expect), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  EXPECT_TRUE(file_bytes(path) == before) << "the file was modified";
}

TEST(Store, RefusesRandomBytes) {
  TempDir dir;
  std::mt19937 rng(3);
  std::string junk(8192, '\0');
  for (char& c : junk) c = static_cast<char>(rng());
  write_bytes(dir.file("junk.db"), junk);
  expect_refused(dir.file("junk.db"), "not an SQLite database");
  write_bytes(dir.file("short.db"), "SQLite");
  expect_refused(dir.file("short.db"), "not an SQLite database");
  // A valid header (from a real store) over random pages.
  const std::string path = dir.file("scrambled.db");
  make_store(path);
  std::string bytes = file_bytes(path);
  for (size_t i = 100; i < bytes.size(); ++i) bytes[i] = static_cast<char>(rng());
  write_bytes(path, bytes);
  expect_refused(path, "damaged store");
}

TEST(Store, RefusesTruncatedFile) {
  TempDir dir;
  const std::string path = dir.file("s.db");
  make_store(path);
  const std::string bytes = file_bytes(path);
  ASSERT_GT(bytes.size(), 65536u);
  write_bytes(path, bytes.substr(0, bytes.size() / 2));
  expect_refused(path, "truncated");
}

TEST(Store, RefusesForeignDatabase) {
  TempDir dir;
  const std::string path = dir.file("other.db");
  raw_sql(path,
          "CREATE TABLE runs (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO runs "
          "VALUES (1, 'x');");
  expect_refused(path, "not a Convscope store");
}

TEST(Store, RefusesOtherVersionsAndAlteredSchema) {
  TempDir dir;
  const std::string newer = dir.file("newer.db"), older = dir.file("older.db"),
                    altered = dir.file("altered.db");
  for (const std::string& p : {newer, older, altered}) make_store(p);
  raw_sql(newer, ("PRAGMA user_version = " + std::to_string(kCurrentVersion + 1)).c_str());
  raw_sql(older, "PRAGMA user_version = 0");
  raw_sql(altered, "DROP TABLE predictions");
  expect_refused(newer, "newer Convscope (store version " + std::to_string(kCurrentVersion + 1) +
                            "; this build reads version " + std::to_string(kCurrentVersion) + ")");
  expect_refused(older, "older store version 0");
  expect_refused(altered, "table 'predictions' is missing or altered");
}

std::vector<NamedTensor> random_weights(const NetworkSpec& spec, uint64_t seed) {
  std::mt19937 rng(static_cast<uint32_t>(seed));
  std::normal_distribution<float> g;
  std::vector<NamedTensor> out;
  for (const ParamInfo& p : spec.params()) {
    NamedTensor& t = out.emplace_back(NamedTensor{p.name, p.shape, {}});
    for (long long i = 0; i < p.size(); ++i) t.data.push_back(g(rng));
  }
  return out;
}

TEST(Store, WeightsRoundTripAndExport) {
  TempDir dir;
  Store store(dir.file("s.db"));
  const RunSetup setup = make_setup(2, 10, 1);
  const int64_t id = store.begin_run(setup);
  const auto w0 = random_weights(setup.group.spec, 10), w1 = random_weights(setup.group.spec, 11);
  store.save_weights(id, 0, w0);
  store.save_weights(id, 1, w1);
  for (int net = 0; net < 2; ++net) {
    const auto got = store.load_weights(id, net);
    const auto& want = net ? w1 : w0;
    ASSERT_EQ(got.size(), want.size());
    for (size_t t = 0; t < got.size(); ++t) {
      EXPECT_EQ(got[t].name, want[t].name);
      EXPECT_EQ(got[t].shape, want[t].shape);
      EXPECT_EQ(got[t].data, want[t].data) << got[t].name;
    }
  }
  const std::string file = dir.file("net1.safetensors");
  store.export_weights(id, 1, file);
  std::map<std::string, std::string> meta;
  EXPECT_EQ(read_safetensors(file, &meta).size(), w1.size());
  EXPECT_EQ(meta["spec"], setup.group.spec.to_string());
  EXPECT_EQ(meta["seed"], std::to_string(setup.group.seeds[1]));
  EXPECT_THROW(store.save_weights(id, 2, w0), StoreError);
  EXPECT_THROW(store.load_weights(id + 1, 0), StoreError);
}

TEST(Store, LoadWeightsWithoutSavedWeightsThrows) {
  TempDir dir;
  Store store(dir.file("s.db"));
  const int64_t id = store.begin_run(make_setup(1, 10, 1));
  EXPECT_THROW(store.load_weights(id, 0), StoreError);
}

TEST(Store, DefaultPathFollowsXdgDataHome) {
  const auto saved = [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  const auto xdg = saved("XDG_DATA_HOME"), home = saved("HOME");
  setenv("XDG_DATA_HOME", "/data/me", 1);
  setenv("HOME", "/home/me", 1);
  EXPECT_EQ(default_store_path(), "/data/me/convscope/convscope.db");
  setenv("XDG_DATA_HOME", "relative/ignored", 1);
  EXPECT_EQ(default_store_path(), "/home/me/.local/share/convscope/convscope.db");
  unsetenv("XDG_DATA_HOME");
  EXPECT_EQ(default_store_path(), "/home/me/.local/share/convscope/convscope.db");
  unsetenv("HOME");
  EXPECT_THROW(default_store_path(), StoreError);
  if (xdg) setenv("XDG_DATA_HOME", xdg->c_str(), 1);
  if (home) setenv("HOME", home->c_str(), 1);
}

TEST(Store, FiftyNetsTenThousandImagesLoadTiming) {
  using clock = std::chrono::steady_clock;
  const auto ms = [](clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(clock::now() - t0).count();
  };
  TempDir dir;
  const std::string path = dir.file("big.db");
  const EvalResult e1 = make_eval(50, 10000, 1), e2 = make_eval(50, 10000, 2);
  int64_t id = 0;
  double record_ms = 0;
  {
    Store store(path);
    id = store.begin_run(make_setup(50, 10000, 1));
    store.record_epoch(id, make_metrics(1, e1), e1);
    const auto t0 = clock::now();
    store.record_epoch(id, make_metrics(2, e2), e2);
    record_ms = ms(t0);
    store.finish_run(id);
  }
  auto t0 = clock::now();
  Store store(path);
  const double open_ms = ms(t0);
  t0 = clock::now();
  const StoredRun first = store.load_run(id);
  const double first_ms = ms(t0);
  t0 = clock::now();
  const StoredRun again = store.load_run(id);
  const double again_ms = ms(t0);
  std::printf(
      "[ timing ] store, 50 nets x 10000 images (%.1f MB): record_epoch %.1f ms, open "
      "%.1f ms, load_run %.1f ms (again %.1f ms)\n",
      fs::file_size(path) / 1e6, record_ms, open_ms, first_ms, again_ms);
  expect_same(first.eval, e2);
  expect_same(again.eval, e2);
}

}  // namespace
}  // namespace cs

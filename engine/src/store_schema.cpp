#include "store_schema.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <thread>
#include <vector>

#include <sqlite3.h>

#include "convscope/store.h"

namespace cs::store_schema {

namespace {

// Each table's CREATE statement; SQLite keeps the text, so check_schema compares it verbatim.
// Blobs are little-endian arrays; floats are stored as REAL (exact for float32 values).
constexpr std::array kTables = {
    std::pair{"runs",
              "CREATE TABLE runs (\n"
              "  id INTEGER PRIMARY KEY,\n"
              "  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),\n"
              "  ended TEXT,\n"
              "  status TEXT NOT NULL DEFAULT 'running',\n"
              "  app_version TEXT NOT NULL,\n"
              "  spec TEXT NOT NULL,\n"
              "  input_c INTEGER NOT NULL, input_h INTEGER NOT NULL, input_w INTEGER NOT NULL,\n"
              "  classes INTEGER NOT NULL,\n"
              "  optimizer TEXT NOT NULL,\n"
              "  opt_kind TEXT NOT NULL, lr REAL NOT NULL, beta1 REAL NOT NULL,\n"
              "  beta2 REAL NOT NULL, epsilon REAL NOT NULL, momentum REAL NOT NULL,\n"
              "  rho REAL NOT NULL, initial_accumulator REAL NOT NULL,\n"
              "  batch_size INTEGER NOT NULL, epochs INTEGER NOT NULL,\n"
              "  shuffle_seed INTEGER NOT NULL, per_net_shuffle INTEGER NOT NULL,\n"
              "  train_name TEXT NOT NULL, train_sha256 TEXT NOT NULL,\n"
              "  val_name TEXT NOT NULL, val_sha256 TEXT NOT NULL,\n"
              "  val_labels BLOB NOT NULL,\n"
              "  backend_kind TEXT NOT NULL, backend_device TEXT NOT NULL,\n"
              "  epochs_done INTEGER NOT NULL DEFAULT 0,\n"
              "  train_seconds REAL NOT NULL DEFAULT 0,\n"
              "  wall_seconds REAL NOT NULL DEFAULT 0\n"
              ")"},
    std::pair{"networks",
              "CREATE TABLE networks (\n"
              "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
              "  net INTEGER NOT NULL,\n"
              "  seed INTEGER NOT NULL,\n"
              "  final_accuracy REAL,\n"
              "  weights BLOB,\n"  // safetensors file contents
              "  PRIMARY KEY (run_id, net)\n"
              ")"},
    std::pair{"epochs",
              "CREATE TABLE epochs (\n"
              "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
              "  epoch INTEGER NOT NULL,\n"
              "  train_loss REAL NOT NULL, val_loss REAL NOT NULL, val_accuracy REAL NOT NULL,\n"
              "  train_accuracy REAL NOT NULL, seconds REAL NOT NULL,\n"
              "  PRIMARY KEY (run_id, epoch)\n"
              ")"},
    std::pair{"net_epochs",
              "CREATE TABLE net_epochs (\n"
              "  run_id INTEGER NOT NULL, net INTEGER NOT NULL, epoch INTEGER NOT NULL,\n"
              "  val_loss REAL NOT NULL, val_accuracy REAL NOT NULL,\n"
              "  PRIMARY KEY (run_id, net, epoch),\n"
              "  FOREIGN KEY (run_id, net) REFERENCES networks(run_id, net) ON DELETE CASCADE\n"
              ")"},
    std::pair{"predictions",
              "CREATE TABLE predictions (\n"
              "  run_id INTEGER NOT NULL, net INTEGER NOT NULL, epoch INTEGER NOT NULL,\n"
              "  top_labels BLOB NOT NULL,\n"  // (count, 3) uint8
              "  top_probs BLOB NOT NULL,\n"   // (count, 3) float32
              "  true_probs BLOB NOT NULL,\n"  // (count) float32
              "  PRIMARY KEY (run_id, net, epoch),\n"
              "  FOREIGN KEY (run_id, net) REFERENCES networks(run_id, net) ON DELETE CASCADE\n"
              ")"},
    // Version 2: sweeps (sweep.h). A configuration's run is its latest attempt; a resumed sweep
    // links a new run and keeps the interrupted one.
    std::pair{"sweeps",
              "CREATE TABLE sweeps (\n"
              "  id INTEGER PRIMARY KEY,\n"
              "  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),\n"
              "  definition TEXT NOT NULL\n"  // SweepPlan::definition()
              ")"},
    std::pair{"sweep_configs",
              "CREATE TABLE sweep_configs (\n"
              "  sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,\n"
              "  idx INTEGER NOT NULL,\n"
              "  key TEXT NOT NULL,\n"
              "  run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,\n"
              "  PRIMARY KEY (sweep_id, idx)\n"
              ")"},
    // Version 3: every epoch's top-1 label of every network (predictions keeps the latest
    // epoch's top-3 only). Runs recorded before version 3 have no rows here.
    std::pair{"epoch_top1",
              "CREATE TABLE epoch_top1 (\n"
              "  run_id INTEGER NOT NULL, net INTEGER NOT NULL, epoch INTEGER NOT NULL,\n"
              "  top1 BLOB NOT NULL,\n"  // (count) uint8
              "  PRIMARY KEY (run_id, net, epoch),\n"
              "  FOREIGN KEY (run_id, net) REFERENCES networks(run_id, net) ON DELETE CASCADE\n"
              ")"},
    // Version 4: an epoch's not-learning warning (EpochMetrics::warning), where it had one.
    std::pair{"epoch_warnings",
              "CREATE TABLE epoch_warnings (\n"
              "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
              "  epoch INTEGER NOT NULL,\n"
              "  warning TEXT NOT NULL,\n"
              "  PRIMARY KEY (run_id, epoch)\n"
              ")"},
    // Version 5: each network's training state, saved with its weights (TrainingState), so that
    // a stopped run can continue. Runs recorded before version 5 have no rows here.
    std::pair{"net_states",
              "CREATE TABLE net_states (\n"
              "  run_id INTEGER NOT NULL, net INTEGER NOT NULL,\n"
              "  epoch INTEGER NOT NULL,\n"  // the recorded epoch whose end it is
              "  step INTEGER NOT NULL,\n"   // the group's optimizer steps by then
              "  train_images INTEGER NOT NULL,\n"
              "  slots BLOB NOT NULL,\n"  // the optimizer's state: safetensors file contents
              "  PRIMARY KEY (run_id, net),\n"
              "  FOREIGN KEY (run_id, net) REFERENCES networks(run_id, net) ON DELETE CASCADE\n"
              ")"},
    // Version 6: the epoch a run was in when it stopped on request (Cancel, a signal), with every
    // network's weights and training state then, so that it continues inside that epoch. At
    // most one per run, removed when the run records that epoch.
    std::pair{"stopped_epochs",
              "CREATE TABLE stopped_epochs (\n"
              "  run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,\n"
              "  epoch INTEGER NOT NULL,\n"     // the run's recorded epochs: it stopped in the next
              "  position INTEGER NOT NULL,\n"  // samples of that epoch trained
              "  step INTEGER NOT NULL,\n"      // the group's optimizer steps by then
              "  train_images INTEGER NOT NULL,\n"
              "  losses TEXT NOT NULL\n"  // that epoch's step losses so far: history_json()
              ")"},
    std::pair{"stopped_nets",
              "CREATE TABLE stopped_nets (\n"
              "  run_id INTEGER NOT NULL REFERENCES stopped_epochs(run_id) ON DELETE CASCADE,\n"
              "  net INTEGER NOT NULL,\n"
              "  weights BLOB NOT NULL,\n"  // safetensors file contents, as networks.weights
              "  slots BLOB NOT NULL,\n"    // as net_states.slots
              "  PRIMARY KEY (run_id, net)\n"
              ")"},
    // Version 8: the highest id deleted from runs and from sweeps (kind: the table), kept by
    // the triggers below, so that a new row never takes a deleted one's id (SQLite would give
    // the highest id left + 1): "run 12" names one run for the store's whole life.
    std::pair{"retired_ids",
              "CREATE TABLE retired_ids (\n"
              "  kind TEXT PRIMARY KEY,\n"
              "  id INTEGER NOT NULL\n"
              ")"},
};
constexpr std::array kTriggers = {
    "CREATE TRIGGER retire_run_id AFTER DELETE ON runs BEGIN "
    "INSERT INTO retired_ids (kind, id) VALUES ('runs', OLD.id) "
    "ON CONFLICT (kind) DO UPDATE SET id = max(id, excluded.id); END",
    "CREATE TRIGGER retire_sweep_id AFTER DELETE ON sweeps BEGIN "
    "INSERT INTO retired_ids (kind, id) VALUES ('sweeps', OLD.id) "
    "ON CONFLICT (kind) DO UPDATE SET id = max(id, excluded.id); END",
};

// Columns added to an older version's table. New stores get them with ALTER TABLE too, so that
// every store's table reads the same: SQLite records the CREATE text with the column appended.
struct AddedColumn {
  std::string_view table;
  int version;
  const char* column;
};
constexpr AddedColumn kAddedColumns[] = {
    // Version 7: a stopped epoch's training time so far, so that the epoch's seconds, continued,
    // are all of its training.
    {"stopped_epochs", 7, "seconds REAL NOT NULL DEFAULT 0"},
    // Version 9: the run's learning-rate schedule (LrSchedule::to_string()).
    {"runs", 9, "lr_schedule TEXT NOT NULL DEFAULT 'constant'"},
    // Version 10: the optimizer's decoupled weight decay (OptimizerConfig::weight_decay).
    {"runs", 10, "weight_decay REAL NOT NULL DEFAULT 0"},
    // Version 11: the training images' random shift (GroupConfig::augment_shift).
    {"runs", 11, "augment_shift INTEGER NOT NULL DEFAULT 0"},
    // Version 12: the training loss's label smoothing (GroupConfig::label_smoothing).
    {"runs", 12, "label_smoothing REAL NOT NULL DEFAULT 0"},
};

// The CREATE text SQLite keeps for table t of a store of `version`.
std::string create_text(size_t t, int version) {
  std::string text = kTables[t].second;
  for (const AddedColumn& c : kAddedColumns)
    if (c.table == kTables[t].first && c.version <= version)
      text = text.substr(0, text.rfind(')')) + ", " + c.column + ")";
  return text;
}

// The columns added after `version`.
void add_columns(sql::Connection& db, int version) {
  for (const AddedColumn& c : kAddedColumns)
    if (c.version > version)
      db.exec(("ALTER TABLE " + std::string(c.table) + " ADD COLUMN " + c.column).c_str());
}

// The tables of each older version: runs .. predictions (1), the sweep tables (2), epoch_top1
// (3), epoch_warnings (4), net_states (5), the stopped tables (6 and 7).
constexpr size_t tables_of_version(int version) {
  return version == 1   ? 5
         : version == 2 ? 7
         : version == 3 ? 8
         : version == 4 ? 9
         : version == 5 ? 10
         : version <= 7 ? 12
                        : kTables.size();
}

void create_triggers(sql::Connection& db) {
  for (const char* trigger : kTriggers) db.exec(trigger);
}

uint32_t be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

int pragma_int(sql::Connection& db, const char* pragma) {
  sql::Stmt st(db, pragma);
  return st.step() ? st.i32(0) : 0;
}

}  // namespace

void check_file(const sql::Connection& db) {
  namespace fs = std::filesystem;
  const std::string& path = db.path();
  const auto fail = [&](const std::string& what) { throw StoreError(path + ": " + what); };
  const std::string header = db.read_file_start(100);
  if (header.size() < 100 ||
      std::string_view(header.data(), 16) != std::string_view("SQLite format 3\0", 16))
    fail("not a Convscope store (not an SQLite database)");
  // A WAL file left by a crash may hold pages the main file does not have yet.
  std::error_code ec;
  const uintmax_t wal = fs::file_size(path + "-wal", ec);
  if (!ec && wal > 0) return;
  // The header and the size are read without SQLite's locks: another process making the store
  // (its pages written after its header) can show a short file for an instant. Only a file that
  // stays short for 0.2 s is truncated.
  uintmax_t actual = 0, expected = 0;
  for (int look = 0; look < 5; ++look) {
    if (look > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const std::string now = look == 0 ? header : db.read_file_start(100);
    if (now.size() < 100) return;  // emptied meanwhile: the open says what it is
    const auto* n = reinterpret_cast<const unsigned char*>(now.data());
    const uint32_t page_field = n[16] * 256u + n[17];
    const uint32_t page = page_field == 1 ? 65536u : page_field;
    const uint32_t pages = be32(n + 28);
    // The in-header page count is valid when the change counter (offset 24) matches the
    // version-valid-for number (offset 92); see https://www.sqlite.org/fileformat.html.
    const bool size_valid = pages > 0 && be32(n + 24) == be32(n + 92);
    expected = uintmax_t{page} * pages;
    actual = static_cast<uintmax_t>(db.file_size());
    if (!size_valid || actual >= expected) return;
  }
  fail("damaged store: the file is truncated (" + std::to_string(actual) + " of " +
       std::to_string(expected) + " bytes)");
}

bool is_blank(sql::Connection& db) {
  try {
    sql::Transaction snapshot(db, sql::Transaction::Kind::Read);
    sql::Stmt objects(db, "SELECT count(*) FROM sqlite_master");
    return objects.step() && objects.i64(0) == 0 && pragma_int(db, "PRAGMA application_id") == 0 &&
           pragma_int(db, "PRAGMA user_version") == 0;
  } catch (const StoreError&) {
    return false;  // not readable as a database: check_schema() says why
  }
}

void check_schema(sql::Connection& db) {
  const auto fail = [&](const std::string& what) { throw StoreError(db.path() + ": " + what); };
  int app = 0, version = 0;
  std::vector<std::string> stored;  // each table's CREATE text, "" when missing
  try {
    // One snapshot: a version and tables read across another process's upgrade do not match.
    sql::Transaction snapshot(db, sql::Transaction::Kind::Read);
    app = pragma_int(db, "PRAGMA application_id");
    version = pragma_int(db, "PRAGMA user_version");
    sql::Stmt st(db, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1");
    for (const auto& table : kTables) {
      st.bind(1, std::string(table.first));
      stored.push_back(st.step() ? st.text(0) : std::string());
      st.reset();
    }
  } catch (const StoreError&) {
    const int rc = db.error_code() & 0xff;
    if (rc != SQLITE_CORRUPT && rc != SQLITE_NOTADB) throw;  // read-only, busy, I/O: as they are
    fail("damaged store (" + db.error() + ")");
  }
  if (app != kApplicationId) fail("not a Convscope store (an SQLite database of another program)");
  if (version > kSchemaVersion)
    fail("written by a newer Convscope (store version " + std::to_string(version) +
         "; this build reads version " + std::to_string(kSchemaVersion) + ")");
  if (version < 1)
    fail("an older store version " + std::to_string(version) + " that this build cannot read " +
         "(it reads versions 1 to " + std::to_string(kSchemaVersion) + ")");
  const size_t tables = tables_of_version(version);
  for (size_t t = 0; t < tables; ++t)
    if (stored[t] != create_text(t, version))
      fail(std::string("damaged store: table '") + kTables[t].first + "' is missing or altered");
}

void quick_check(sql::Connection& db) {
  std::string result;
  try {
    sql::Stmt st(db, "PRAGMA quick_check(1)");
    result = st.step() ? st.text(0) : std::string("no result");
  } catch (const StoreError&) {
    result = db.error();
  }
  if (result != "ok")
    throw StoreError(db.path() + ": damaged store (" + result +
                     "); it is left as it is and nothing is written into it");
}

void configure_for_writing(sql::Connection& db) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point give_up = Clock::now() + std::chrono::seconds(30);
  for (;;) {
    {
      sql::Stmt mode(db, "PRAGMA journal_mode");
      if (mode.step() && mode.text(0) == "wal") break;
    }
    try {
      db.exec("PRAGMA journal_mode = WAL");
    } catch (const StoreError&) {
      if ((db.error_code() & 0xff) != SQLITE_BUSY || Clock::now() > give_up) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  db.exec("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON");
}

void upgrade(sql::Connection& db) {
  if (pragma_int(db, "PRAGMA user_version") >= kSchemaVersion) return;
  sql::Transaction tx(db);
  // Read again under the write lock: another process may have upgraded it since.
  const int version = pragma_int(db, "PRAGMA user_version");
  if (version >= kSchemaVersion) return;
  for (size_t t = tables_of_version(version); t < kTables.size(); ++t) db.exec(kTables[t].second);
  add_columns(db, version);
  if (version < 8) create_triggers(db);
  db.exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
  tx.commit();
}

std::string next_id(std::string_view table) {
  const std::string t(table);
  return "(SELECT max(coalesce((SELECT max(id) FROM " + t +
         "), 0), coalesce((SELECT id FROM retired_ids WHERE kind = '" + t + "'), 0)) + 1)";
}

bool incremental_vacuum(sql::Connection& db) {
  return pragma_int(db, "PRAGMA auto_vacuum") == 2;
}

bool has_sweeps(sql::Connection& db) {
  return pragma_int(db, "PRAGMA user_version") >= 2;
}

bool has_epoch_top1(sql::Connection& db) {
  return pragma_int(db, "PRAGMA user_version") >= 3;
}

bool has_epoch_warnings(sql::Connection& db) {
  return pragma_int(db, "PRAGMA user_version") >= 4;
}

bool has_net_states(sql::Connection& db) {
  return pragma_int(db, "PRAGMA user_version") >= 5;
}

bool has_stopped_epochs(sql::Connection& db) {
  return pragma_int(db, "PRAGMA user_version") >= 6;
}

bool has_stopped_seconds(sql::Connection& db) {
  return pragma_int(db, "PRAGMA user_version") >= 7;
}

bool has_lr_schedule(sql::Connection& db) {
  return pragma_int(db, "PRAGMA user_version") >= 9;
}

bool has_weight_decay(sql::Connection& db) {
  return pragma_int(db, "PRAGMA user_version") >= 10;
}

bool has_augment_shift(sql::Connection& db) {
  return pragma_int(db, "PRAGMA user_version") >= 11;
}

bool has_label_smoothing(sql::Connection& db) {
  return pragma_int(db, "PRAGMA user_version") >= 12;
}

void create_schema(sql::Connection& db) {
  // Before the first table: deleted runs' pages can then leave the file (Store::delete_run).
  db.exec("PRAGMA page_size = 16384; PRAGMA auto_vacuum = INCREMENTAL");
  sql::Transaction tx(db);
  // Another process that found no store either may have made it since: then it is made.
  if (pragma_int(db, "PRAGMA user_version") >= kSchemaVersion) return;
  for (const auto& table : kTables) db.exec(table.second);
  add_columns(db, 0);
  create_triggers(db);
  db.exec(("PRAGMA application_id = " + std::to_string(kApplicationId)).c_str());
  db.exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
  tx.commit();
}

}  // namespace cs::store_schema

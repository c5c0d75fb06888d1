// The store's schema (version kSchemaVersion) and the checks that reject any other file before
// anything is written to it.
#pragma once

#include <string>
#include <string_view>

#include "sqlite.h"

namespace cs::store_schema {

// 2 adds sweeps, 3 per-epoch top-1, 4 epoch warnings, 5 training states, 6 stopped epochs, 7 a
// stopped epoch's seconds, 8 retired ids, 9 learning-rate schedules, 10 weight decay, 11 random
// shifts, 12 label smoothing; older stores are upgraded.
inline constexpr int kSchemaVersion = 12;
inline constexpr int kApplicationId = 0x436E7673;  // "Cnvs" in PRAGMA application_id

// Reads the file's 100-byte SQLite header through `db` (a connection that has not read it yet):
// throws StoreError when the file is not an SQLite database or is shorter than the header says
// (a truncated copy).
void check_file(const sql::Connection& db);

// An SQLite database with nothing in it yet: no table, no application id, no version (a store
// another process is making, or an empty database, which can be made one).
bool is_blank(sql::Connection& db);

// Throws StoreError unless the database holds exactly this version's schema, or version 1's
// (before sweeps), 2's (before per-epoch top-1), 3's (before epoch warnings), 4's (before
// training states), 5's (before stopped epochs), 6's (before their seconds), 7's (before
// retired ids), 8's (before learning-rate schedules), 9's (before weight decay) or 10's (before
// random shifts). Reads only.
void check_schema(sql::Connection& db);

// An older store opened for writing gets the tables of the later versions (one transaction); a
// no-op for a current one.
void upgrade(sql::Connection& db);
// The connection's settings for writing: write-ahead logging (kept in the file, so set once by
// whoever makes the store), normal sync, foreign keys. Switching to WAL needs the file to itself,
// and SQLite says busy at once instead of waiting for the processes reading it (several opening a
// new store together): it is tried again for as long as any other lock is waited for.
void configure_for_writing(sql::Connection& db);
// SQL for the id a new row of `table` ("runs", "sweeps") takes: above every id it holds and every
// id deleted from it, so that no id is given twice. In the INSERT itself, which holds the write
// lock: two processes cannot both take it.
std::string next_id(std::string_view table);

// Whether the store is in incremental auto-vacuum mode (made or compacted since version 8).
bool incremental_vacuum(sql::Connection& db);

// Whether the store has the sweep tables (a version 1 store opened read-only has none).
bool has_sweeps(sql::Connection& db);
// Whether the store has the epoch_top1 table (an older store opened read-only has none).
bool has_epoch_top1(sql::Connection& db);
// Whether the store has the epoch_warnings table (an older store opened read-only has none).
bool has_epoch_warnings(sql::Connection& db);

// Whether the store has the net_states table (an older store opened read-only has none).
bool has_net_states(sql::Connection& db);
// Whether the store has the stopped_epochs and stopped_nets tables (likewise).
bool has_stopped_epochs(sql::Connection& db);
// Whether stopped_epochs has its seconds column (likewise).
bool has_stopped_seconds(sql::Connection& db);
// Whether runs has its lr_schedule column (likewise; a run without one had a constant rate).
bool has_lr_schedule(sql::Connection& db);
// Whether runs has its weight_decay column (likewise; a run without one had none).
bool has_weight_decay(sql::Connection& db);
// Whether runs has its augment_shift column (likewise; a run without one trained unshifted).
bool has_augment_shift(sql::Connection& db);
// Whether runs has its label_smoothing column (likewise; a run without one had none).
bool has_label_smoothing(sql::Connection& db);
// PRAGMA quick_check: throws StoreError "damaged store (...)" unless the file is sound.
void quick_check(sql::Connection& db);

// Creates the schema in an empty database (page size, tables, application id, version).
void create_schema(sql::Connection& db);

}  // namespace cs::store_schema

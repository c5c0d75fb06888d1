// The run store's sweeps: a sweep record (its definition) and one row per configuration linking
// the configuration's latest run.
#include "convscope/store.h"
#include "run_locks.h"
#include "sqlite.h"
#include "store_schema.h"

namespace cs {

int SweepRecord::finished() const {
  int n = 0;
  for (const SweepConfigState& c : configs) n += c.finished();
  return n;
}

int64_t Store::begin_sweep(const std::string& definition, const std::vector<std::string>& keys) {
  check_writable();
  sql::Transaction tx(*m_db);
  const int64_t id = insert_sweep(definition, keys);
  tx.commit();
  return id;
}

int64_t Store::find_or_begin_sweep(const std::string& definition,
                                   const std::vector<std::string>& keys) {
  check_writable();
  sql::Transaction tx(*m_db);  // no other process begins one between the two
  int64_t id = find_sweep(definition);
  if (id < 0) id = insert_sweep(definition, keys);
  tx.commit();
  return id;
}

int64_t Store::insert_sweep(const std::string& definition, const std::vector<std::string>& keys) {
  if (keys.empty()) throw StoreError("a sweep needs at least one configuration");
  sql::Stmt(*m_db, "INSERT INTO sweeps (id, definition) VALUES (" +
                       store_schema::next_id("sweeps") + ", ?1)")
      .bind(1, definition)
      .run();
  const int64_t id = m_db->last_insert_id();
  sql::Stmt c(*m_db, "INSERT INTO sweep_configs (sweep_id, idx, key) VALUES (?1, ?2, ?3)");
  for (size_t i = 0; i < keys.size(); ++i)
    c.bind(1, id).bind(2, static_cast<int64_t>(i)).bind(3, keys[i]).run();
  return id;
}

int64_t Store::find_sweep(const std::string& definition) {
  if (!store_schema::has_sweeps(*m_db)) return -1;
  sql::Stmt q(*m_db, "SELECT max(id) FROM sweeps WHERE definition = ?1");
  return q.bind(1, definition).step() && !q.is_null(0) ? q.i64(0) : -1;
}

std::vector<int64_t> Store::list_sweeps() {
  std::vector<int64_t> out;
  if (!store_schema::has_sweeps(*m_db)) return out;
  sql::Stmt q(*m_db, "SELECT id FROM sweeps ORDER BY id DESC");
  while (q.step()) out.push_back(q.i64(0));
  return out;
}

SweepRecord Store::load_sweep(int64_t sweep) {
  const std::string name = m_path + ": sweep " + std::to_string(sweep);
  if (!store_schema::has_sweeps(*m_db)) throw StoreError(name + " does not exist");
  sql::Transaction tx(*m_db, sql::Transaction::Kind::Read);
  sql::Stmt s(*m_db, "SELECT created, definition FROM sweeps WHERE id = ?1");
  if (!s.bind(1, sweep).step()) throw StoreError(name + " does not exist");
  SweepRecord out;
  out.id = sweep;
  out.created = s.text("created");
  out.definition = s.text("definition");
  out.trained_elsewhere = m_locks->held_elsewhere(RunLocks::sweep_byte(sweep));
  sql::Stmt c(*m_db,
              "SELECT c.idx AS idx, c.key AS key, c.run_id AS run, r.status AS status "
              "FROM sweep_configs c LEFT JOIN runs r ON r.id = c.run_id "
              "WHERE c.sweep_id = ?1 ORDER BY c.idx");
  for (c.bind(1, sweep); c.step();) {
    SweepConfigState& st = out.configs.emplace_back();
    st.index = c.i32("idx");
    st.key = c.text("key");
    if (st.index != static_cast<int>(out.configs.size()) - 1)
      throw StoreError(name + " is damaged: configuration " + std::to_string(st.index) +
                       " is out of order");
    if (!c.is_null("run") && !c.is_null("status")) {
      st.run = c.i64("run");
      st.status = live_status(st.run, parse_status(c.text("status")));
    }
  }
  return out;
}

void Store::set_sweep_run(int64_t sweep, int config, int64_t run) {
  check_writable();
  link_sweep_run({sweep, config}, run);
}

void Store::link_sweep_run(SweepPlace place, int64_t run) {
  sql::Stmt(*m_db, "UPDATE sweep_configs SET run_id = ?3 WHERE sweep_id = ?1 AND idx = ?2")
      .bind(1, place.sweep)
      .bind(2, place.config)
      .bind(3, run)
      .run();
  if (m_db->changes() == 0)
    throw StoreError(m_path + ": sweep " + std::to_string(place.sweep) + " has no configuration " +
                     std::to_string(place.config));
}

bool Store::hold_sweep(int64_t sweep) {
  check_writable();
  return m_locks->try_acquire(RunLocks::sweep_byte(sweep));
}

void Store::release_sweep(int64_t sweep) {
  m_locks->release(RunLocks::sweep_byte(sweep));
}

bool Store::delete_sweep(int64_t sweep, bool with_runs) {
  check_writable();
  if (!store_schema::has_sweeps(*m_db)) return false;
  const std::string name = m_path + ": sweep " + std::to_string(sweep);
  // Held, not only looked at, until the deletion is committed: a resume that took it in between
  // would train the runs being deleted.
  if (!hold_sweep(sweep)) throw StoreError(name + " is being trained: stop it before deleting it");
  struct Release {
    Store& store;
    int64_t sweep;
    ~Release() { store.release_sweep(sweep); }
  } release{*this, sweep};
  sql::Transaction tx(*m_db);
  if (!sql::Stmt(*m_db, "SELECT 1 FROM sweeps WHERE id = ?1").bind(1, sweep).step()) return false;
  if (with_runs) {
    sql::Stmt runs(*m_db, "SELECT run_id FROM sweep_configs WHERE sweep_id = ?1 AND run_id");
    for (runs.bind(1, sweep); runs.step();) {
      const int64_t run = runs.i64(0);
      if (being_trained(run))
        throw StoreError(name + ": its run " + std::to_string(run) +
                         " is being trained: stop it before deleting the sweep");
    }
    sql::Stmt(*m_db,
              "DELETE FROM runs WHERE id IN (SELECT run_id FROM sweep_configs WHERE sweep_id = ?1)")
        .bind(1, sweep)
        .run();
  }
  sql::Stmt(*m_db, "DELETE FROM sweeps WHERE id = ?1").bind(1, sweep).run();
  tx.commit();
  free_deleted_pages();
  return true;
}

}  // namespace cs

// The run store's writes: runs begun, epochs recorded, runs ended, weights saved, runs deleted.
// Predictions are three little-endian blobs per network: top labels (count, 3) uint8, top
// probabilities (count, 3) float32 and true-label probabilities (count) float32. Every epoch's
// top-1 labels are one more blob per network: (count) uint8.
#include <bit>

#include "convscope/store.h"
#include "run_locks.h"
#include "sqlite.h"
#include "store_schema.h"

static_assert(std::endian::native == std::endian::little, "prediction blobs are little-endian");

namespace cs {

namespace {

constexpr int kWalWaitMs = 250;  // a deletion's checkpoint waits no longer for other connections
constexpr int kCompactWalWaitMs = 3000;  // compact()'s, for readers to finish

template <class T>
std::span<const uint8_t> bytes(const std::vector<T>& v, size_t first, size_t n) {
  return {reinterpret_cast<const uint8_t*>(v.data() + first), n * sizeof(T)};
}

// An encoded blob (safetensors file contents) as the bytes SQLite binds.
std::span<const uint8_t> bytes(const std::string& blob) {
  return {reinterpret_cast<const uint8_t*>(blob.data()), blob.size()};
}

}  // namespace

int64_t Store::begin_run(const RunSetup& s, SweepPlace sweep) {
  check_writable();
  const GroupConfig& g = s.group;
  const OptimizerConfig& o = g.optimizer;
  if (g.nets() < 1) throw StoreError("a run needs at least one network");
  // A network's weights and its optimizer's slots are one row (SQLite's limit: 10^9 bytes), said
  // before any training rather than at the first recorded epoch.
  const long long stored = 4 * g.spec.param_count() * (1 + o.slots());
  if (stored > kMaxStoredNetworkBytes)
    throw StoreError("a network of " + std::to_string(g.spec.param_count()) +
                     " parameters trained with " + to_string(o.kind) + " is " +
                     std::to_string(stored) + " bytes to store, the run store's limit is " +
                     std::to_string(kMaxStoredNetworkBytes) +
                     ": use fewer parameters or an optimizer with fewer slots (sgd has none)");
  sql::Transaction tx(*m_db);
  sql::Stmt st(
      *m_db,
      "INSERT INTO runs (id, app_version, spec, input_c, input_h, input_w, classes, "
      "optimizer, opt_kind, lr, beta1, beta2, epsilon, momentum, rho, "
      "initial_accumulator, weight_decay, lr_schedule, batch_size, augment_shift, "
      "label_smoothing, epochs, "
      "shuffle_seed, "
      "per_net_shuffle, "
      "train_name, train_sha256, val_name, val_sha256, val_labels, backend_kind, "
      "backend_device) VALUES (" +
          store_schema::next_id("runs") +
          ", :app_version, :spec, :input_c, :input_h, :input_w, "
          ":classes, :optimizer, :opt_kind, :lr, :beta1, :beta2, :epsilon, :momentum, :rho, "
          ":initial_accumulator, :weight_decay, :lr_schedule, :batch_size, :augment_shift, "
          ":label_smoothing, :epochs, "
          ":shuffle_seed, "
          ":per_net_shuffle, "
          ":train_name, :train_sha256, :val_name, :val_sha256, :val_labels, :backend_kind, "
          ":backend_device)");
  st.bind(":app_version", s.app_version).bind(":spec", g.spec.to_string());
  st.bind(":input_c", g.spec.input.c).bind(":input_h", g.spec.input.h);
  st.bind(":input_w", g.spec.input.w).bind(":classes", g.spec.classes);
  st.bind(":optimizer", o.to_string()).bind(":opt_kind", to_string(o.kind));
  st.bind(":lr", o.lr).bind(":beta1", o.beta1).bind(":beta2", o.beta2);
  st.bind(":epsilon", o.epsilon).bind(":momentum", o.momentum).bind(":rho", o.rho);
  st.bind(":initial_accumulator", o.initial_accumulator).bind(":weight_decay", o.weight_decay);
  st.bind(":lr_schedule", o.schedule.to_string());
  st.bind(":batch_size", g.batch_size).bind(":augment_shift", g.augment_shift);
  st.bind(":label_smoothing", g.label_smoothing);
  st.bind(":epochs", s.epochs);
  st.bind(":shuffle_seed", static_cast<int64_t>(g.shuffle_seed));
  st.bind(":per_net_shuffle", g.per_net_shuffle ? 1 : 0);
  st.bind(":train_name", s.train_name).bind(":train_sha256", s.train_sha256);
  st.bind(":val_name", s.val_name).bind(":val_sha256", s.val_sha256);
  st.bind(":val_labels", std::span<const uint8_t>(s.val_labels));
  st.bind(":backend_kind", s.backend.kind).bind(":backend_device", s.backend.device).run();
  const int64_t id = m_db->last_insert_id();
  sql::Stmt net(*m_db, "INSERT INTO networks (run_id, net, seed) VALUES (?1, ?2, ?3)");
  for (int n = 0; n < g.nets(); ++n)
    net.bind(1, id).bind(2, n).bind(3, static_cast<int64_t>(g.seeds[n])).run();
  if (sweep.sweep > 0) link_sweep_run(sweep, id);
  commit_open_run(tx, id);
  return id;
}

void Store::commit_open_run(sql::Transaction& tx, int64_t run) {
  m_locks->acquire(run);  // before the run shows as running, so no one takes it for orphaned
  try {
    tx.commit();
  } catch (...) {
    m_locks->release(run);
    throw;
  }
  m_open_runs.push_back(run);
}

void Store::record_epoch(int64_t run, const EpochMetrics& m, const EvalResult& eval,
                         const std::vector<NetworkSave>& networks) {
  check_writable();
  const std::string name = m_path + ": run " + std::to_string(run);
  sql::Transaction tx(*m_db);
  sql::Stmt q(*m_db,
              "SELECT status, epochs_done, length(val_labels), "
              "(SELECT count(*) FROM networks WHERE run_id = ?1) FROM runs WHERE id = ?1");
  if (!q.bind(1, run).step()) throw StoreError(name + " does not exist");
  if (q.text(0) != "running") throw StoreError(name + " is " + q.text(0) + ", not running");
  if (m.epoch <= q.i32(1))
    throw StoreError(name + ": epoch " + std::to_string(m.epoch) + " follows epoch " +
                     std::to_string(q.i32(1)));
  const int nets = q.i32(3), count = q.i32(2);
  const size_t cells = static_cast<size_t>(nets) * count;
  if (eval.nets != nets || eval.count != count || eval.loss.size() != size_t(nets) ||
      eval.accuracy.size() != size_t(nets) || eval.top_labels.size() != cells * 3 ||
      eval.top_probs.size() != cells * 3 || eval.true_probs.size() != cells)
    throw StoreError(name + " has " + std::to_string(nets) + " nets x " + std::to_string(count) +
                     " images; the evaluation does not match");
  if (!networks.empty() && networks.size() != static_cast<size_t>(nets))
    throw StoreError(name + " has " + std::to_string(nets) + " nets; " +
                     std::to_string(networks.size()) + " were given to save");

  sql::Stmt(*m_db,
            "INSERT INTO epochs (run_id, epoch, train_loss, val_loss, val_accuracy, "
            "train_accuracy, seconds) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
      .bind(1, run)
      .bind(2, m.epoch)
      .bind(3, m.train_loss)
      .bind(4, m.val_loss)
      .bind(5, m.val_accuracy)
      .bind(6, m.train_accuracy)
      .bind(7, m.seconds)
      .run();
  if (!m.warning.empty())
    sql::Stmt(*m_db, "INSERT INTO epoch_warnings (run_id, epoch, warning) VALUES (?1, ?2, ?3)")
        .bind(1, run)
        .bind(2, m.epoch)
        .bind(3, m.warning)
        .run();
  sql::Stmt per_net(*m_db,
                    "INSERT INTO net_epochs (run_id, net, epoch, val_loss, val_accuracy) "
                    "VALUES (?1, ?2, ?3, ?4, ?5)");
  sql::Stmt final_acc(*m_db,
                      "UPDATE networks SET final_accuracy = ?3 WHERE run_id = ?1 AND net = ?2");
  sql::Stmt pred(*m_db,
                 "INSERT INTO predictions (run_id, net, epoch, top_labels, top_probs, "
                 "true_probs) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  sql::Stmt top1_row(*m_db,
                     "INSERT INTO epoch_top1 (run_id, net, epoch, top1) VALUES (?1, ?2, ?3, ?4)");
  std::vector<uint8_t> top1(count);
  for (int n = 0; n < nets; ++n) {
    const size_t first = static_cast<size_t>(n) * count;
    per_net.bind(1, run).bind(2, n).bind(3, m.epoch).bind(4, eval.loss[n]);
    per_net.bind(5, eval.accuracy[n]).run();
    final_acc.bind(1, run).bind(2, n).bind(3, eval.accuracy[n]).run();
    pred.bind(1, run).bind(2, n).bind(3, m.epoch);
    pred.bind(4, bytes(eval.top_labels, first * 3, size_t(count) * 3));
    pred.bind(5, bytes(eval.top_probs, first * 3, size_t(count) * 3));
    pred.bind(6, bytes(eval.true_probs, first, count)).run();
    for (int i = 0; i < count; ++i) top1[i] = top1_answer(eval, n, i);
    top1_row.bind(1, run).bind(2, n).bind(3, m.epoch).bind(4, std::span<const uint8_t>(top1)).run();
  }
  sql::Stmt(*m_db, "DELETE FROM predictions WHERE run_id = ?1 AND epoch < ?2")
      .bind(1, run)
      .bind(2, m.epoch)
      .run();
  sql::Stmt(*m_db,
            "UPDATE runs SET epochs_done = ?2, train_seconds = train_seconds + ?3 WHERE id = ?1")
      .bind(1, run)
      .bind(2, m.epoch)
      .bind(3, m.seconds)
      .run();
  for (int n = 0; n < static_cast<int>(networks.size()); ++n)
    write_weights(run, n, networks[n].weights, &networks[n].state);
  clear_stopped_epoch(run);  // a stop inside this epoch: the epoch is whole now
  tx.commit();
}

void Store::stop_run(int64_t run, const StoppedEpoch& stopped) {
  check_writable();
  sql::Transaction tx(*m_db);
  write_stopped_epoch(run, stopped);
  mark_ended(run, RunStatus::Cancelled);
  tx.commit();
  forget_run(run);  // only once committed: a failed commit leaves the run open and locked
}

void Store::save_place(int64_t run, const StoppedEpoch& place) {
  check_writable();
  sql::Transaction tx(*m_db);
  write_stopped_epoch(run, place);
  tx.commit();
}

void Store::write_stopped_epoch(int64_t run, const StoppedEpoch& stopped) {
  const std::string name = m_path + ": run " + std::to_string(run);
  sql::Stmt q(*m_db,
              "SELECT epochs_done, (SELECT count(*) FROM networks WHERE run_id = ?1), status "
              "FROM runs WHERE id = ?1");
  if (!q.bind(1, run).step()) throw StoreError(name + " does not exist");
  const int recorded = q.i32(0), nets = q.i32(1);
  const bool running = q.text(2) == "running";
  q.reset();
  if (!running) throw StoreError(name + " is not running");
  if (stopped.epoch != recorded || stopped.position < 1 ||
      stopped.networks.size() != static_cast<size_t>(nets))
    throw StoreError(name + " recorded " + std::to_string(recorded) + " epoch(s) of " +
                     std::to_string(nets) + " networks; a stop " +
                     std::to_string(stopped.position) + " samples into epoch " +
                     std::to_string(stopped.epoch + 1) + " with " +
                     std::to_string(stopped.networks.size()) + " networks does not fit it");
  clear_stopped_epoch(run);
  RunHistory losses;
  losses.losses = stopped.losses;
  sql::Stmt(*m_db,
            "INSERT INTO stopped_epochs (run_id, epoch, position, step, train_images, losses, "
            "seconds) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
      .bind(1, run)
      .bind(2, stopped.epoch)
      .bind(3, stopped.position)
      .bind(4, static_cast<int64_t>(stopped.step))
      .bind(5, stopped.train_images)
      .bind(6, history_json(losses))
      .bind(7, stopped.seconds)
      .run();
  sql::Stmt net(*m_db,
                "INSERT INTO stopped_nets (run_id, net, weights, slots) VALUES (?1, ?2, ?3, ?4)");
  for (int n = 0; n < nets; ++n) {
    const NetworkSave& s = stopped.networks[n];
    const std::string weights = encode_safetensors(m_path, s.weights, {{"format", "pt"}});
    const std::string slots = encode_safetensors(m_path, s.state.slots, {{"format", "convscope"}});
    net.bind(1, run).bind(2, n).bind(3, bytes(weights)).bind(4, bytes(slots)).run();
  }
}

void Store::clear_stopped_epoch(int64_t run) {
  sql::Stmt(*m_db, "DELETE FROM stopped_nets WHERE run_id = ?1").bind(1, run).run();
  sql::Stmt(*m_db, "DELETE FROM stopped_epochs WHERE run_id = ?1").bind(1, run).run();
}

void Store::finish_run(int64_t run) {
  end_run(run, RunStatus::Finished);
}

void Store::finish_recorded_run(int64_t run) {
  check_writable();
  const std::string name = m_path + ": run " + std::to_string(run);
  sql::Transaction tx(*m_db);
  sql::Stmt q(*m_db, "SELECT status, epochs_done, epochs FROM runs WHERE id = ?1");
  if (!q.bind(1, run).step()) throw StoreError(name + " does not exist");
  const RunStatus status = live_status(run, parse_status(q.text(0)));
  const int recorded = q.i32(1), planned = q.i32(2);
  q.reset();
  if (status == RunStatus::Running || status == RunStatus::Finished)
    throw StoreError(name + " is " + to_string(status));
  if (recorded < planned)
    throw StoreError(name + " recorded " + std::to_string(recorded) + " of its " +
                     std::to_string(planned) + " epochs: it is not finished");
  sql::Stmt(*m_db,
            "UPDATE runs SET status = 'finished', "
            "ended = coalesce(ended, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) WHERE id = ?1")
      .bind(1, run)
      .run();
  tx.commit();
}

void Store::cancel_run(int64_t run) {
  end_run(run, RunStatus::Cancelled);
}

void Store::end_run(int64_t run, RunStatus status) {
  mark_ended(run, status);
  forget_run(run);
}

void Store::mark_ended(int64_t run, RunStatus status) {
  check_writable();
  // A continued run's wall time: its earlier sessions' and this one's, not the time between.
  const auto continued = m_continued.find(run);
  const bool again = continued != m_continued.end();
  sql::Stmt(*m_db,
            "UPDATE runs SET status = ?2, ended = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), "
            "wall_seconds = ?4 + (julianday('now') - julianday(CASE ?3 WHEN '' THEN created "
            "ELSE ?3 END)) * 86400.0 WHERE id = ?1 AND status = 'running'")
      .bind(1, run)
      .bind(2, to_string(status))
      .bind(3, again ? continued->second.since : std::string())
      .bind(4, again ? continued->second.wall_before : 0.0)
      .run();
  if (m_db->changes() == 0)
    throw StoreError(m_path + ": run " + std::to_string(run) + " is not running");
}

void Store::forget_run(int64_t run) {
  std::erase(m_open_runs, run);
  m_continued.erase(run);
  m_locks->release(run);
}

void Store::continue_run(int64_t run, int epochs) {
  check_writable();
  const std::string name = m_path + ": run " + std::to_string(run);
  sql::Transaction tx(*m_db);
  sql::Stmt q(*m_db,
              "SELECT status, epochs_done, wall_seconds, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
              "FROM runs WHERE id = ?1");
  if (!q.bind(1, run).step()) throw StoreError(name + " does not exist");
  if (q.text(0) == to_string(RunStatus::Running) &&
      live_status(run, RunStatus::Running) == RunStatus::Running)
    throw StoreError(name + " is still running");
  if (epochs <= q.i32(1))
    throw StoreError(name + " recorded " + std::to_string(q.i32(1)) +
                     " epoch(s); continuing it needs more than that planned, not " +
                     std::to_string(epochs));
  const Continued since{q.text(3), q.f64(2)};
  q.reset();
  sql::Stmt(*m_db, "UPDATE runs SET status = 'running', ended = NULL, epochs = ?2 WHERE id = ?1")
      .bind(1, run)
      .bind(2, epochs)
      .run();
  commit_open_run(tx, run);
  m_continued[run] = since;
}

void Store::save_weights(int64_t run, int net, const std::vector<NamedTensor>& tensors) {
  check_writable();
  // One write transaction, taken before the SELECT: a read that is still open when the UPDATE
  // wants to write cannot wait for another writer (SQLite answers "database is locked" at once).
  sql::Transaction tx(*m_db);
  write_weights(run, net, tensors, nullptr);
  tx.commit();
}

void Store::write_weights(int64_t run, int net, const std::vector<NamedTensor>& tensors,
                          const TrainingState* state) {
  sql::Stmt q(*m_db,
              "SELECT r.spec, n.seed FROM networks n JOIN runs r ON r.id = n.run_id "
              "WHERE n.run_id = ?1 AND n.net = ?2");
  if (!q.bind(1, run).bind(2, net).step())
    throw StoreError(m_path + ": run " + std::to_string(run) + " has no network " +
                     std::to_string(net));
  const std::map<std::string, std::string> meta = {
      {"format", "pt"},
      {"spec", q.text(0)},
      {"seed", std::to_string(static_cast<uint64_t>(q.i64(1)))}};
  q.reset();
  const std::string blob = encode_safetensors(m_path, tensors, meta);
  sql::Stmt(*m_db, "UPDATE networks SET weights = ?3 WHERE run_id = ?1 AND net = ?2")
      .bind(1, run)
      .bind(2, net)
      .bind(3, bytes(blob))
      .run();
  if (!state) return;
  const std::string slots = encode_safetensors(m_path, state->slots, {{"format", "convscope"}});
  sql::Stmt(*m_db,
            "INSERT OR REPLACE INTO net_states (run_id, net, epoch, step, train_images, slots) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
      .bind(1, run)
      .bind(2, net)
      .bind(3, state->epoch)
      .bind(4, static_cast<int64_t>(state->step))
      .bind(5, state->train_images)
      .bind(6, bytes(slots))
      .run();
}

bool Store::delete_run(int64_t run) {
  check_writable();
  if (!sql::Stmt(*m_db, "SELECT 1 FROM runs WHERE id = ?1").bind(1, run).step()) return false;
  delete_runs({run});
  return true;
}

void Store::delete_runs(const std::vector<int64_t>& runs) {
  check_writable();
  {
    sql::Transaction tx(*m_db);
    sql::Stmt exists(*m_db, "SELECT 1 FROM runs WHERE id = ?1");
    for (const int64_t run : runs) {
      const std::string id = std::to_string(run);
      if (!exists.bind(1, run).step())
        throw StoreError(m_path + ": no run " + id + "; nothing was deleted");
      exists.reset();
      if (being_trained(run))
        throw StoreError(m_path + ": run " + id +
                         " is being trained: stop it before deleting it; nothing was deleted");
    }
    sql::Stmt remove(*m_db, "DELETE FROM runs WHERE id = ?1");
    for (const int64_t run : runs) remove.bind(1, run).run();
    tx.commit();
  }
  free_deleted_pages();
}

void Store::free_deleted_pages() {
  // In an incremental auto-vacuum store (one created or compact()ed by this build) the freed
  // pages leave the file now (in an older one they wait for later rows). Both the vacuum and the
  // deletion wrote their pages to the write-ahead log, which keeps its size while the store is
  // open: without emptying it the store took more disk after a deletion than before. The
  // deletion stands either way: pages left here (a full disk, a writer holding the store past
  // the busy timeout, readers past the checkpoint's wait) leave with the next deletion's, when
  // the store is closed, or at compact().
  try {
    m_db->exec("PRAGMA incremental_vacuum");
    m_db->truncate_wal(kWalWaitMs);
  } catch (const StoreError&) {  // the deletion stands; its pages leave later
  }
}

bool Store::frees_deleted_space() {
  return store_schema::incremental_vacuum(*m_db);
}

std::string Store::compact_problem() {
  const auto refusal = [&](const std::string& what) {
    return m_path + ": " + what +
           " is being trained; compact the store once it has stopped (compacting rewrites the "
           "whole file, and the training's writes would wait for it)";
  };
  for (const RunSummary& run : list_runs())
    if (run.status == RunStatus::Running) return refusal("run " + std::to_string(run.id));
  for (int64_t sweep : list_sweeps())
    if (m_locks->held_elsewhere(RunLocks::sweep_byte(sweep)))
      return refusal("sweep " + std::to_string(sweep));
  return {};
}

bool Store::compact() {
  check_writable();
  // Read before the rewrite: a run begun after it waits (a new run loses nothing by failing).
  if (const std::string problem = compact_problem(); !problem.empty()) throw StoreError(problem);
  // VACUUM waits for other processes' transactions, as any write does; in WAL mode the file
  // shrinks at the checkpoint, which a reader's open snapshot holds up. It also makes an older
  // store one whose deletions give their space back at once.
  m_db->exec("PRAGMA auto_vacuum = INCREMENTAL; VACUUM");
  return m_db->truncate_wal(kCompactWalWaitMs);
}

}  // namespace cs

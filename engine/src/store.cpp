// The run store over SQLite. Schema and file checks live in store_schema.cpp; predictions are
// three little-endian blobs per network: top labels (count, 3) uint8, top probabilities
// (count, 3) float32 and true-label probabilities (count) float32.
#include "convscope/store.h"

#include "convscope/atomic_file.h"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "run_locks.h"
#include "sqlite.h"
#include "store_schema.h"

static_assert(std::endian::native == std::endian::little, "prediction blobs are little-endian");

namespace cs {

namespace fs = std::filesystem;

namespace {

template <class T>
std::span<const uint8_t> bytes(const std::vector<T>& v, size_t first, size_t n) {
  return {reinterpret_cast<const uint8_t*>(v.data() + first), n * sizeof(T)};
}

void copy_bytes(void* dst, std::span<const uint8_t> src) {
  if (!src.empty()) std::memcpy(dst, src.data(), src.size());
}

RunStatus parse_status(const std::string& s) {
  for (RunStatus st :
       {RunStatus::Running, RunStatus::Finished, RunStatus::Cancelled, RunStatus::Interrupted})
    if (to_string(st) == s) return st;
  throw StoreError("damaged store: unknown run status '" + s + "'");
}

}  // namespace

std::string to_string(RunStatus s) {
  switch (s) {
    case RunStatus::Running:
      return "running";
    case RunStatus::Finished:
      return "finished";
    case RunStatus::Cancelled:
      return "cancelled";
    case RunStatus::Interrupted:
      return "interrupted";
  }
  return "?";
}

RunSetup RunSetup::from(const TrainConfig& cfg, const Dataset& train, const Dataset& val,
                        const BackendInfo& backend, std::string app_version) {
  return {.group = cfg.group,
          .epochs = cfg.epochs,
          .train_name = train.name,
          .train_sha256 = train.sha256,
          .val_name = val.name,
          .val_sha256 = val.sha256,
          .val_labels = val.labels,
          .backend = backend,
          .app_version = std::move(app_version)};
}

std::string default_store_path() {
  fs::path base;
  const char* xdg = std::getenv("XDG_DATA_HOME");
  const char* home = std::getenv("HOME");
  if (xdg && fs::path(xdg).is_absolute())  // the XDG spec ignores relative paths
    base = xdg;
  else if (home && *home)
    base = fs::path(home) / ".local" / "share";
  else
    throw StoreError("no folder for the store: neither XDG_DATA_HOME nor HOME is set");
  return (base / "convscope" / "convscope.db").string();
}

Store::Store(const std::string& path, StoreAccess access) : m_path(path) {
  if (path.empty()) throw StoreError("no store file given: the path is empty");
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  const bool missing = ec == std::errc::no_such_file_or_directory;
  const fs::path dir = fs::path(path).parent_path();
  if (access == StoreAccess::ReadOnly) {
    if (missing) throw StoreError(path + ": no store here (reading creates nothing)");
    store_schema::check_file(path);
    m_db = open_read_only(path);
    store_schema::check_schema(*m_db);
    m_read_only = true;
    m_locks = std::make_unique<RunLocks>(path, true);
    return;
  }
  if (missing || (!ec && size == 0)) {
    if (!dir.empty()) fs::create_directories(dir, ec);  // a failure shows in the open below
    if (::access(dir.empty() ? "." : dir.c_str(), W_OK) != 0 && errno == EACCES)
      throw StoreError(path + ": read-only folder: cannot create the store there");
    m_db = std::make_unique<sql::Connection>(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    store_schema::create_schema(*m_db);
  } else {
    // Check everything through a read-only connection first: a rejected file stays untouched.
    store_schema::check_file(path);
    {
      const auto ro = open_read_only(path);
      store_schema::check_schema(*ro);
      store_schema::quick_check(*ro);
    }
    // SQLite needs to write the file and, for its journal, the folder.
    for (const std::string& p : {path, dir.empty() ? std::string(".") : dir.string()})
      if (::access(p.c_str(), W_OK) != 0 && (errno == EACCES || errno == EROFS))
        throw StoreError(path + ": the store is read-only (no permission to write " + p +
                         "); it can be listed, not written");
    m_db = std::make_unique<sql::Connection>(path, SQLITE_OPEN_READWRITE);
  }
  m_db->exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON");
  m_locks = std::make_unique<RunLocks>(path, false);
  interrupt_orphaned_runs();
}

std::unique_ptr<sql::Connection> Store::open_read_only(const std::string& path) {
  // In a folder this process may not write, SQLite cannot make the WAL index (-shm) a reader
  // needs; nobody can change the file there without that permission, so open it immutable.
  const fs::path dir = fs::path(path).parent_path();
  std::error_code ec;
  if (::access(dir.empty() ? "." : dir.c_str(), W_OK) == 0 || fs::exists(path + "-shm", ec))
    return std::make_unique<sql::Connection>(path, SQLITE_OPEN_READONLY);
  std::string uri = "file:";
  for (const char c : fs::absolute(path).string()) {
    if (c == '?' || c == '#' || c == '%') {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
      uri += hex;
    } else {
      uri += c;
    }
  }
  return std::make_unique<sql::Connection>(path, SQLITE_OPEN_READONLY, uri + "?immutable=1");
}

RunStatus Store::live_status(int64_t run, RunStatus stored) const {
  // A reader cannot mark a dead writer's run, but it need not show it as running either.
  if (stored == RunStatus::Running && !m_locks->held_elsewhere(run) &&
      std::find(m_open_runs.begin(), m_open_runs.end(), run) == m_open_runs.end())
    return RunStatus::Interrupted;
  return stored;
}

void Store::check_writable() const {
  if (m_read_only) throw StoreError(m_path + ": the store is open read-only; nothing was written");
}

void Store::interrupt_orphaned_runs() {
  const auto orphans = [&] {
    std::vector<int64_t> out;
    sql::Stmt q(*m_db, "SELECT id FROM runs WHERE status = 'running'");
    while (q.step())
      if (!m_locks->held_elsewhere(q.i64(0))) out.push_back(q.i64(0));
    return out;
  };
  if (orphans().empty()) return;  // the usual case: no write lock needed
  sql::Transaction tx(*m_db);
  sql::Stmt mark(*m_db,
                 "UPDATE runs SET status = 'interrupted', "
                 "ended = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?1");
  for (int64_t run : orphans()) mark.bind(1, run).run();
  tx.commit();
}

Store::~Store() {
  for (int64_t run : std::vector(m_open_runs)) {
    try {
      end_run(run, RunStatus::Interrupted);
    } catch (const std::exception&) {
      // The run stays "running", as after a crash.
    }
  }
}

int64_t Store::begin_run(const RunSetup& s) {
  check_writable();
  const GroupConfig& g = s.group;
  const OptimizerConfig& o = g.optimizer;
  if (g.nets() < 1) throw StoreError("a run needs at least one network");
  sql::Transaction tx(*m_db);
  sql::Stmt st(*m_db,
               "INSERT INTO runs (app_version, spec, input_c, input_h, input_w, classes, "
               "optimizer, opt_kind, lr, beta1, beta2, epsilon, momentum, rho, "
               "initial_accumulator, batch_size, epochs, shuffle_seed, per_net_shuffle, "
               "train_name, train_sha256, val_name, val_sha256, val_labels, backend_kind, "
               "backend_device) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
               "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)");
  st.bind(1, s.app_version).bind(2, g.spec.to_string());
  st.bind(3, g.spec.input.c).bind(4, g.spec.input.h).bind(5, g.spec.input.w);
  st.bind(6, g.spec.classes).bind(7, o.to_string()).bind(8, to_string(o.kind));
  st.bind(9, o.lr).bind(10, o.beta1).bind(11, o.beta2).bind(12, o.epsilon);
  st.bind(13, o.momentum).bind(14, o.rho).bind(15, o.initial_accumulator);
  st.bind(16, g.batch_size).bind(17, s.epochs);
  st.bind(18, static_cast<int64_t>(g.shuffle_seed)).bind(19, g.per_net_shuffle ? 1 : 0);
  st.bind(20, s.train_name).bind(21, s.train_sha256).bind(22, s.val_name).bind(23, s.val_sha256);
  st.bind(24, std::span<const uint8_t>(s.val_labels));
  st.bind(25, s.backend.kind).bind(26, s.backend.device).run();
  const int64_t id = m_db->last_insert_id();
  sql::Stmt net(*m_db, "INSERT INTO networks (run_id, net, seed) VALUES (?1, ?2, ?3)");
  for (int n = 0; n < g.nets(); ++n)
    net.bind(1, id).bind(2, n).bind(3, static_cast<int64_t>(g.seeds[n])).run();
  m_locks->acquire(id);  // before the run becomes visible, so no one takes it for orphaned
  try {
    tx.commit();
  } catch (...) {
    m_locks->release(id);
    throw;
  }
  m_open_runs.push_back(id);
  return id;
}

void Store::record_epoch(int64_t run, const EpochMetrics& m, const EvalResult& eval) {
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
  sql::Stmt per_net(*m_db,
                    "INSERT INTO net_epochs (run_id, net, epoch, val_loss, val_accuracy) "
                    "VALUES (?1, ?2, ?3, ?4, ?5)");
  sql::Stmt final_acc(*m_db,
                      "UPDATE networks SET final_accuracy = ?3 WHERE run_id = ?1 AND net = ?2");
  sql::Stmt pred(*m_db,
                 "INSERT INTO predictions (run_id, net, epoch, top_labels, top_probs, "
                 "true_probs) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  for (int n = 0; n < nets; ++n) {
    const size_t first = static_cast<size_t>(n) * count;
    per_net.bind(1, run).bind(2, n).bind(3, m.epoch).bind(4, eval.loss[n]);
    per_net.bind(5, eval.accuracy[n]).run();
    final_acc.bind(1, run).bind(2, n).bind(3, eval.accuracy[n]).run();
    pred.bind(1, run).bind(2, n).bind(3, m.epoch);
    pred.bind(4, bytes(eval.top_labels, first * 3, size_t(count) * 3));
    pred.bind(5, bytes(eval.top_probs, first * 3, size_t(count) * 3));
    pred.bind(6, bytes(eval.true_probs, first, count)).run();
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
  tx.commit();
}

void Store::finish_run(int64_t run) {
  end_run(run, RunStatus::Finished);
}

void Store::cancel_run(int64_t run) {
  end_run(run, RunStatus::Cancelled);
}

void Store::end_run(int64_t run, RunStatus status) {
  check_writable();
  sql::Stmt(*m_db,
            "UPDATE runs SET status = ?2, ended = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), "
            "wall_seconds = (julianday('now') - julianday(created)) * 86400.0 "
            "WHERE id = ?1 AND status = 'running'")
      .bind(1, run)
      .bind(2, to_string(status))
      .run();
  if (m_db->changes() == 0)
    throw StoreError(m_path + ": run " + std::to_string(run) + " is not running");
  std::erase(m_open_runs, run);
  m_locks->release(run);
}

void Store::save_weights(int64_t run, int net, const std::vector<NamedTensor>& tensors) {
  check_writable();
  // One write transaction, taken before the SELECT: a read that is still open when the UPDATE
  // wants to write cannot wait for another writer (SQLite answers "database is locked" at once).
  sql::Transaction tx(*m_db);
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
      .bind(3, std::span(reinterpret_cast<const uint8_t*>(blob.data()), blob.size()))
      .run();
  tx.commit();
}

std::vector<NamedTensor> Store::load_weights(int64_t run, int net) {
  std::vector<NamedTensor> out;
  with_weights(run, net, [&](const std::string& name, std::string_view blob) {
    out = parse_safetensors(blob, name);
  });
  return out;
}

void Store::export_weights(int64_t run, int net, const std::string& file) {
  with_weights(run, net, [&](const std::string&, std::string_view blob) {
    try {
      write_file_atomically(file, blob);
    } catch (const FileError& e) {
      throw StoreError(e.what());
    }
  });
}

void Store::with_weights(int64_t run, int net,
                         const std::function<void(const std::string&, std::string_view)>& use) {
  const std::string name =
      m_path + ": run " + std::to_string(run) + " network " + std::to_string(net);
  sql::Stmt q(*m_db, "SELECT weights FROM networks WHERE run_id = ?1 AND net = ?2");
  if (!q.bind(1, run).bind(2, net).step()) throw StoreError(name + " does not exist");
  if (q.is_null(0)) throw StoreError(name + " has no saved weights");
  const auto blob = q.blob(0);
  use(name, std::string_view(reinterpret_cast<const char*>(blob.data()), blob.size()));
}

std::vector<RunSummary> Store::list_runs() {
  sql::Stmt q(*m_db,
              "SELECT r.id, r.created, r.status, r.spec, r.optimizer, r.train_name, "
              "r.backend_kind, r.epochs_done, r.epochs, r.train_seconds, count(n.net), "
              "coalesce(avg(n.final_accuracy), 0) "
              "FROM runs r LEFT JOIN networks n ON n.run_id = r.id GROUP BY r.id "
              "ORDER BY r.id DESC");
  std::vector<RunSummary> out;
  while (q.step()) {
    RunSummary& s = out.emplace_back();
    s.id = q.i64(0);
    s.created = q.text(1);
    s.status = live_status(s.id, parse_status(q.text(2)));
    s.spec = q.text(3);
    s.optimizer = q.text(4);
    s.train_name = q.text(5);
    s.backend = q.text(6);
    s.epochs_done = q.i32(7);
    s.epochs = q.i32(8);
    s.train_seconds = q.f64(9);
    s.nets = q.i32(10);
    s.mean_accuracy = q.f64(11);
  }
  return out;
}

StoredRun Store::load_run(int64_t run) {
  const std::string name = m_path + ": run " + std::to_string(run);
  const auto damaged = [&](const std::string& what) {
    return StoreError(name + " is damaged: " + what);
  };
  sql::Transaction tx(*m_db, sql::Transaction::Kind::Read);  // one snapshot for every query
  StoredRun out;
  RunInfo& info = out.info;
  RunSetup& s = info.setup;
  sql::Stmt r(*m_db,
              "SELECT created, ended, status, epochs_done, train_seconds, wall_seconds, "
              "app_version, spec, input_c, input_h, input_w, classes, opt_kind, lr, beta1, beta2, "
              "epsilon, momentum, rho, initial_accumulator, batch_size, epochs, shuffle_seed, "
              "per_net_shuffle, train_name, train_sha256, val_name, val_sha256, val_labels, "
              "backend_kind, backend_device FROM runs WHERE id = ?1");
  if (!r.bind(1, run).step()) throw StoreError(name + " does not exist");
  info.id = run;
  info.created = r.text(0);
  info.ended = r.text(1);
  info.status = live_status(run, parse_status(r.text(2)));
  info.epochs_done = r.i32(3);
  info.train_seconds = r.f64(4);
  info.wall_seconds = r.f64(5);
  s.app_version = r.text(6);
  OptimizerConfig& o = s.group.optimizer;
  try {
    s.group.spec = NetworkSpec::parse(r.text(7), {r.i32(8), r.i32(9), r.i32(10)}, r.i32(11));
    o.kind = parse_optimizer(r.text(12));
  } catch (const std::exception& e) {
    throw damaged(e.what());
  }
  o.lr = static_cast<float>(r.f64(13));
  o.beta1 = static_cast<float>(r.f64(14));
  o.beta2 = static_cast<float>(r.f64(15));
  o.epsilon = static_cast<float>(r.f64(16));
  o.momentum = static_cast<float>(r.f64(17));
  o.rho = static_cast<float>(r.f64(18));
  o.initial_accumulator = static_cast<float>(r.f64(19));
  s.group.batch_size = r.i32(20);
  s.epochs = r.i32(21);
  s.group.shuffle_seed = static_cast<uint64_t>(r.i64(22));
  s.group.per_net_shuffle = r.i64(23) != 0;
  s.train_name = r.text(24);
  s.train_sha256 = r.text(25);
  s.val_name = r.text(26);
  s.val_sha256 = r.text(27);
  const auto labels = r.blob(28);
  s.val_labels.assign(labels.begin(), labels.end());
  s.backend = {r.text(29), r.text(30)};

  sql::Stmt seeds(*m_db, "SELECT seed FROM networks WHERE run_id = ?1 ORDER BY net");
  s.group.seeds.clear();
  for (seeds.bind(1, run); seeds.step();)
    s.group.seeds.push_back(static_cast<uint64_t>(seeds.i64(0)));
  const int nets = s.group.nets(), count = static_cast<int>(s.val_labels.size());

  sql::Stmt ep(*m_db,
               "SELECT epoch, train_loss, val_loss, val_accuracy, train_accuracy, seconds "
               "FROM epochs WHERE run_id = ?1 ORDER BY epoch");
  for (ep.bind(1, run); ep.step();) {
    EpochMetrics& m = out.epochs.emplace_back();
    m.epoch = ep.i32(0);
    m.train_loss = ep.f64(1);
    m.val_loss = ep.f64(2);
    m.val_accuracy = ep.f64(3);
    m.train_accuracy = ep.f64(4);
    m.seconds = ep.f64(5);
    m.net_val_loss.resize(nets);
    m.net_val_accuracy.resize(nets);
  }
  sql::Stmt ne(*m_db,
               "SELECT epoch, net, val_loss, val_accuracy FROM net_epochs WHERE run_id = ?1");
  for (ne.bind(1, run); ne.step();) {
    const auto e = std::find_if(out.epochs.begin(), out.epochs.end(),
                                [&](const EpochMetrics& m) { return m.epoch == ne.i32(0); });
    const int n = ne.i32(1);
    if (e == out.epochs.end() || n < 0 || n >= nets) throw damaged("stray per-network metrics");
    e->net_val_loss[n] = static_cast<float>(ne.f64(2));
    e->net_val_accuracy[n] = static_cast<float>(ne.f64(3));
  }
  if (info.epochs_done == 0) return out;
  if (out.epochs.empty() || out.epochs.back().epoch != info.epochs_done)
    throw damaged("epoch " + std::to_string(info.epochs_done) + " is missing");

  EvalResult& ev = out.eval;
  const size_t cells = static_cast<size_t>(nets) * count;
  ev.nets = nets;
  ev.count = count;
  ev.loss = out.epochs.back().net_val_loss;
  ev.accuracy = out.epochs.back().net_val_accuracy;
  ev.top_labels.resize(cells * 3);
  ev.top_probs.resize(cells * 3);
  ev.true_probs.resize(cells);
  sql::Stmt p(*m_db,
              "SELECT net, top_labels, top_probs, true_probs FROM predictions "
              "WHERE run_id = ?1 AND epoch = ?2 ORDER BY net");
  int rows = 0;
  for (p.bind(1, run).bind(2, info.epochs_done); p.step(); ++rows) {
    const size_t first = static_cast<size_t>(rows) * count;
    const auto labels3 = p.blob(1), probs3 = p.blob(2), truep = p.blob(3);
    if (p.i32(0) != rows || labels3.size() != size_t(count) * 3 ||
        probs3.size() != size_t(count) * 3 * sizeof(float) ||
        truep.size() != size_t(count) * sizeof(float))
      throw damaged("the predictions of network " + std::to_string(rows) + " do not fit");
    copy_bytes(ev.top_labels.data() + first * 3, labels3);
    copy_bytes(ev.top_probs.data() + first * 3, probs3);
    copy_bytes(ev.true_probs.data() + first, truep);
  }
  if (rows != nets) throw damaged("predictions are missing");
  return out;
}

bool Store::delete_run(int64_t run) {
  check_writable();
  sql::Stmt(*m_db, "DELETE FROM runs WHERE id = ?1").bind(1, run).run();
  std::erase(m_open_runs, run);
  m_locks->release(run);
  return m_db->changes() > 0;
}

}  // namespace cs

// The run store over SQLite: opening (and the checks before it) and the runs that a dead process
// left "running". Writes live in store_write.cpp, reads in store_read.cpp, the schema and file
// checks in store_schema.cpp.
#include "convscope/store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "run_locks.h"
#include "sqlite.h"
#include "store_schema.h"

namespace cs {

namespace fs = std::filesystem;

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

RunStatus parse_status(const std::string& s) {
  for (RunStatus st :
       {RunStatus::Running, RunStatus::Finished, RunStatus::Cancelled, RunStatus::Interrupted})
    if (to_string(st) == s) return st;
  throw StoreError("damaged store: unknown run status '" + s + "'");
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
  // A folder, a pipe or a device is no store: SQLite would wait on a pipe for ever.
  if (const fs::file_status st = fs::status(path, ec); !ec && !fs::is_regular_file(st))
    throw StoreError(path + ": not a store file (" +
                     (fs::is_directory(st) ? "a folder" : "not a regular file") + ")");
  const uintmax_t size = fs::file_size(path, ec);
  const bool missing = ec == std::errc::no_such_file_or_directory;
  const fs::path dir = fs::path(path).parent_path();
  if (access == StoreAccess::ReadOnly) {
    if (missing) throw StoreError(path + ": no store here (reading creates nothing)");
    m_db = open_read_only(path);
    store_schema::check_file(*m_db);
    store_schema::check_schema(*m_db);
    m_read_only = true;
    m_locks = std::make_unique<RunLocks>(path, true);
    return;
  }
  // Empty, or an SQLite file with nothing in it yet: another process is making the store (it
  // writes the file's header before its tables). Both are made here, create_schema() waiting for
  // the other process and finding the store made.
  bool blank = missing || (!ec && size == 0);
  if (!blank) {
    const auto ro = open_read_only(path);
    store_schema::check_file(*ro);
    blank = store_schema::is_blank(*ro);
  }
  if (blank) {
    if (!dir.empty()) fs::create_directories(dir, ec);  // a failure shows in the open below
    if (::access(dir.empty() ? "." : dir.c_str(), W_OK) != 0 && errno == EACCES)
      throw StoreError(path + ": read-only folder: cannot create the store there");
    m_db = std::make_unique<sql::Connection>(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    store_schema::create_schema(*m_db);
  } else {
    // Check everything through a read-only connection first: a rejected file stays untouched.
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
  store_schema::configure_for_writing(*m_db);
  store_schema::upgrade(*m_db);
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
  if (stored == RunStatus::Running && !being_trained(run)) return RunStatus::Interrupted;
  return stored;
}

uintmax_t Store::disk_size(const std::string& path) {
  uintmax_t bytes = 0;
  for (const std::string& file : {path, path + "-wal"}) {
    std::error_code ec;
    const uintmax_t size = fs::file_size(file, ec);
    if (!ec) bytes += size;
  }
  return bytes;
}

bool Store::being_trained(int64_t run) const {
  return m_locks->held_elsewhere(run) || std::ranges::count(m_open_runs, run) > 0;
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
  interrupt_open_runs();
}

void Store::interrupt_open_runs() {
  for (int64_t run : std::vector(m_open_runs)) {
    try {
      end_run(run, RunStatus::Interrupted);
    } catch (const std::exception&) {
      // The run stays "running", as after a crash.
    }
  }
}

}  // namespace cs

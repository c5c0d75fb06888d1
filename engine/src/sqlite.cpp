#include "sqlite.h"

#include <sqlite3.h>

#include <algorithm>

#include "convscope/store.h"

namespace cs::sql {

namespace {

constexpr int kBusyTimeoutMs = 30000;  // as in_words() says

// SQLite's result code as a user reads it; SQLite's own message goes into the detail.
std::string in_words(int rc, const std::string& message) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "the store is busy: another process held it locked for more than 30 s";
    case SQLITE_READONLY:
      return "the store is read-only (no permission to write the file or its folder)";
    case SQLITE_FULL:
      return "the disk is full";
    case SQLITE_IOERR:
      return "reading or writing the file failed (input/output error)";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return "damaged store (the database file is malformed)";
    case SQLITE_CANTOPEN:
      return "cannot open the file";
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return "permission denied";
    case SQLITE_NOMEM:
      return "out of memory";
    default:
      return message;
  }
}

}  // namespace

Connection::Connection(const std::string& path, int flags, const std::string& uri) : m_path(path) {
  const std::string& name = uri.empty() ? path : uri;
  const int rc =
      sqlite3_open_v2(name.c_str(), &m_db,
                      flags | SQLITE_OPEN_NOMUTEX | (uri.empty() ? 0 : SQLITE_OPEN_URI), nullptr);
  if (rc != SQLITE_OK) {
    const std::string msg = m_db ? sqlite3_errmsg(m_db) : sqlite3_errstr(rc);
    sqlite3_close(m_db);
    throw StoreError(path + ": " + in_words(rc, "cannot open the file"), "SQLite: " + msg);
  }
  sqlite3_extended_result_codes(m_db, 1);
  sqlite3_busy_timeout(m_db, kBusyTimeoutMs);  // another process writing: wait rather than fail
}

bool Connection::truncate_wal(int wait_ms) {
  sqlite3_busy_timeout(m_db, wait_ms);
  const int rc =
      sqlite3_wal_checkpoint_v2(m_db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  sqlite3_busy_timeout(m_db, kBusyTimeoutMs);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) return false;
  if (rc != SQLITE_OK) fail("PRAGMA wal_checkpoint(TRUNCATE)");
  return true;
}

Connection::~Connection() {
  sqlite3_close(m_db);
}

void Connection::exec(const char* sql) {
  if (sqlite3_exec(m_db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
}

int64_t Connection::changes() const {
  return sqlite3_changes64(m_db);
}

int64_t Connection::last_insert_id() const {
  return sqlite3_last_insert_rowid(m_db);
}

namespace {

// The connection's main database file, as SQLite's VFS has it open.
sqlite3_file* main_file(sqlite3* db, const std::string& path) {
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK || !file ||
      !file->pMethods)
    throw StoreError(path + ": cannot read the file");
  return file;
}

}  // namespace

std::string Connection::read_file_start(int n) const {
  sqlite3_file* file = main_file(m_db, m_path);
  const int64_t size = file_size();
  std::string bytes(static_cast<size_t>(std::min<int64_t>(n, size)), '\0');
  if (!bytes.empty() &&
      file->pMethods->xRead(file, bytes.data(), static_cast<int>(bytes.size()), 0) != SQLITE_OK)
    throw StoreError(m_path + ": cannot read the file");
  return bytes;
}

int64_t Connection::file_size() const {
  sqlite3_file* file = main_file(m_db, m_path);
  sqlite3_int64 size = 0;
  if (file->pMethods->xFileSize(file, &size) != SQLITE_OK)
    throw StoreError(m_path + ": cannot read the file");
  return size;
}

std::string Connection::error() const {
  return sqlite3_errmsg(m_db);
}

int Connection::error_code() const {
  return sqlite3_extended_errcode(m_db);
}

void Connection::fail(std::string_view sql) const {
  throw StoreError(m_path + ": " + in_words(error_code(), error()),
                   "SQLite: " + error() + (sql.empty() ? "" : " in: " + std::string(sql)));
}

Stmt::Stmt(Connection& db, const char* sql) : m_db(db) {
  if (sqlite3_prepare_v2(db.handle(), sql, -1, &m_stmt, nullptr) != SQLITE_OK) db.fail(sql);
  for (int i = 0, n = sqlite3_column_count(m_stmt); i < n; ++i)
    m_columns.emplace_back(sqlite3_column_name(m_stmt, i));
}

Stmt::~Stmt() {
  sqlite3_finalize(m_stmt);
}

Stmt& Stmt::bind(int i, int64_t v) {
  if (sqlite3_bind_int64(m_stmt, i, v) != SQLITE_OK) m_db.fail(sqlite3_sql(m_stmt));
  return *this;
}

Stmt& Stmt::bind(int i, double v) {
  if (sqlite3_bind_double(m_stmt, i, v) != SQLITE_OK) m_db.fail(sqlite3_sql(m_stmt));
  return *this;
}

Stmt& Stmt::bind(int i, const std::string& v) {
  if (sqlite3_bind_text64(m_stmt, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8) !=
      SQLITE_OK)
    m_db.fail(sqlite3_sql(m_stmt));
  return *this;
}

Stmt& Stmt::bind(int i, std::span<const uint8_t> blob) {
  // A zero-length blob still binds as a blob, not NULL.
  if (sqlite3_bind_blob64(m_stmt, i, blob.empty() ? "" : static_cast<const void*>(blob.data()),
                          blob.size(), SQLITE_TRANSIENT) != SQLITE_OK)
    m_db.fail(sqlite3_sql(m_stmt));
  return *this;
}

bool Stmt::step() {
  const int rc = sqlite3_step(m_stmt);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  const std::string sql = sqlite3_sql(m_stmt);
  sqlite3_reset(m_stmt);
  m_db.fail(sql);
}

void Stmt::run() {
  while (step()) {
  }
  reset();
}

void Stmt::reset() {
  sqlite3_reset(m_stmt);
}

int Stmt::parameter(const char* name) const {
  const int i = sqlite3_bind_parameter_index(m_stmt, name);
  if (i == 0)
    throw StoreError(m_db.path() + ": internal error: no parameter " + name + " in the statement",
                     sqlite3_sql(m_stmt));
  return i;
}

int Stmt::column(std::string_view name) const {
  for (size_t i = 0; i < m_columns.size(); ++i)
    if (m_columns[i] == name) return static_cast<int>(i);
  throw StoreError(m_db.path() + ": internal error: no column '" + std::string(name) +
                       "' in the statement's result",
                   sqlite3_sql(m_stmt));
}

bool Stmt::is_null(int col) const {
  return sqlite3_column_type(m_stmt, col) == SQLITE_NULL;
}

int64_t Stmt::i64(int col) const {
  return sqlite3_column_int64(m_stmt, col);
}

double Stmt::f64(int col) const {
  return sqlite3_column_double(m_stmt, col);
}

std::string Stmt::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, col));
  return p ? std::string(p, sqlite3_column_bytes(m_stmt, col)) : std::string();
}

std::span<const uint8_t> Stmt::blob(int col) const {
  const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(m_stmt, col));
  const int n = sqlite3_column_bytes(m_stmt, col);
  return p ? std::span<const uint8_t>(p, n) : std::span<const uint8_t>();
}

Transaction::Transaction(Connection& db, Kind kind) : m_db(db) {
  m_db.exec(kind == Kind::Write ? "BEGIN IMMEDIATE" : "BEGIN");
}

Transaction::~Transaction() {
  if (!m_done) sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  m_db.exec("COMMIT");
  m_done = true;
}

}  // namespace cs::sql

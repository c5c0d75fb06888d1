// A thin RAII layer over the SQLite C API for the store: a connection, prepared statements and a
// transaction guard. Every failure throws StoreError naming the database file and what failed in
// words; SQLite's message and the statement are its detail().
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace cs::sql {

class Connection {
 public:
  // flags are sqlite3_open_v2's (SQLITE_OPEN_READONLY, SQLITE_OPEN_READWRITE | ...); a
  // non-empty `uri` ("file:...?immutable=1") is opened instead of `path`, which names the file
  // in messages.
  Connection(const std::string& path, int flags, const std::string& uri = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void exec(const char* sql);  // one or more statements without parameters or results
  int64_t changes() const;
  int64_t last_insert_id() const;
  std::string error() const;  // SQLite's message for the last failure
  int error_code() const;     // and its extended result code
  // Throws StoreError: the failure in words, with SQLite's message and `sql` as its detail.
  [[noreturn]] void fail(std::string_view sql) const;
  const std::string& path() const { return m_path; }
  sqlite3* handle() const { return m_db; }
  // The database file's first `n` bytes (fewer when it is shorter) and its size, read through
  // SQLite's own descriptor: opening the file a second time would, once closed, drop the POSIX
  // locks this process holds on it, those of every other connection to it included.
  std::string read_file_start(int n) const;
  int64_t file_size() const;
  // Moves the write-ahead log into the file and empties it, waiting at most `wait_ms` for other
  // connections' readers and writer (not the usual busy timeout); false when they held on. Throws
  // StoreError when it fails otherwise (a full disk).
  bool truncate_wal(int wait_ms);

 private:
  std::string m_path;
  sqlite3* m_db = nullptr;
};

class Stmt {
 public:
  Stmt(Connection& db, const char* sql);
  Stmt(Connection& db, const std::string& sql) : Stmt(db, sql.c_str()) {}
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Parameters are 1-based, as in SQL ("?1"), or named as in the SQL (":spec").
  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
  Stmt& bind(int i, double v);
  Stmt& bind(int i, const std::string& v);
  Stmt& bind(int i, std::span<const uint8_t> blob);
  template <class T>
  Stmt& bind(const char* name, const T& v) {
    return bind(parameter(name), v);
  }

  bool step();  // true: a row is ready; false: done
  void run();   // steps to the end (a statement without results) and resets
  void reset();

  // Columns are 0-based, as in SQLite, or named as in the result: a plain column by its own
  // name ("train_sha256"; what SQLite gives, though it promises only AS names; the store tests
  // read every one), anything else ("r.id", "count(*)") by its AS alias. A name not in the
  // result throws StoreError.
  bool is_null(int col) const;
  int64_t i64(int col) const;
  int i32(int col) const { return static_cast<int>(i64(col)); }
  double f64(int col) const;
  std::string text(int col) const;
  std::span<const uint8_t> blob(int col) const;  // valid until the next step or reset
  int column(std::string_view name) const;

  bool is_null(std::string_view name) const { return is_null(column(name)); }
  int64_t i64(std::string_view name) const { return i64(column(name)); }
  int i32(std::string_view name) const { return i32(column(name)); }
  double f64(std::string_view name) const { return f64(column(name)); }
  std::string text(std::string_view name) const { return text(column(name)); }
  std::span<const uint8_t> blob(std::string_view name) const { return blob(column(name)); }

 private:
  int parameter(const char* name) const;  // its index; throws StoreError when not in the SQL

  Connection& m_db;
  sqlite3_stmt* m_stmt = nullptr;
  std::vector<std::string> m_columns;  // the result's column names, read once
};

// Begins on construction (Write: BEGIN IMMEDIATE, taking the write lock at once; Read: a
// deferred BEGIN, one consistent snapshot); rolls back unless commit() was called.
class Transaction {
 public:
  enum class Kind { Read, Write };
  explicit Transaction(Connection& db, Kind kind = Kind::Write);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& m_db;
  bool m_done = false;
};

}  // namespace cs::sql

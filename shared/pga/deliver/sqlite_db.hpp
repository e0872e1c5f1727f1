// A narrow RAII wrapper over the SQLite C API for the spool: one connection, prepared statements
// with typed binds and reads, and transactions. Every failure throws SqliteError carrying the
// SQLite result code, so callers can tell a corrupt file from a full disk.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace pga::deliver {

class SqliteError : public std::runtime_error {
public:
    SqliteError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
    // Returns the primary SQLite result code (SQLITE_CORRUPT, SQLITE_FULL, ...).
    int code() const { return code_ & 0xff; }
    // Returns true when the database file is damaged or not a database.
    bool corrupt() const;

private:
    int code_;
};

class Statement;

class Database {
public:
    // Opens (creating when missing) the database at path. Throws SqliteError.
    explicit Database(const std::string& path);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // Runs one or more statements without results. Throws SqliteError.
    void exec(std::string_view sql);
    // Prepares one statement. Throws SqliteError.
    Statement prepare(std::string_view sql);
    // Returns the rowid of the last insert.
    std::int64_t last_insert_id() const;
    // Returns the rows changed by the last INSERT, UPDATE or DELETE.
    std::int64_t changes() const;
    sqlite3* handle() const { return db_; }

private:
    sqlite3* db_ = nullptr;
};

class Statement {
public:
    Statement(Database& db, std::string_view sql);
    Statement(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement& operator=(Statement&&) = delete;
    ~Statement();

    // Bind by 1-based index; each returns *this for chaining. Throws SqliteError.
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, std::string_view text);
    // Binds bytes without copying them (a spool entry is megabytes): they must stay valid and
    // unchanged until the statement has run.
    Statement& bind_blob(int index, std::string_view bytes);
    // Advances to the next row; returns false when done. Throws SqliteError.
    bool step();
    // Runs a statement that returns no rows, then resets it. Throws SqliteError.
    void run();
    // Column reads of the current row (0-based).
    std::int64_t int64(int column) const;
    std::string text(int column) const;
    std::string blob(int column) const;
    bool is_null(int column) const;
    // Clears bindings and rewinds, so the statement can run again.
    void reset();

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// An IMMEDIATE transaction rolled back unless commit() is called.
class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    // Commits; throws SqliteError (the transaction is then rolled back by the destructor).
    void commit();

private:
    Database& db_;
    bool done_ = false;
};

} // namespace pga::deliver

// The durable spool: every batch is stored here (SQLite in WAL mode, synchronous=FULL, under
// state_dir) before it is sent, and removed only after the backend answered 2xx. The spool is
// bounded by size and age (the oldest entries are dropped and counted), verifies a CRC-32 per
// entry on read (a bad entry is set aside in a quarantine table and counted, never fatal), and
// keeps its counters in the same transactions as the data, so that
// lost = created - accepted - counted drops holds across restarts and crashes. Thread-safe.
// A full disk must not freeze the backlog: removing a sent entry needs room in SQLite's WAL, so
// the spool holds a small reserve file (spool.reserve) that it gives up when a removal finds the
// disk full, and takes back once there is room again.
#pragma once

#include "pga/util/reserve_file.hpp"
#include "pga/util/time.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace pga::deliver {

class Database;

// One request's worth of a batch: the metric objects as a JSON array text, with identity.
struct SpoolItem {
    std::string batch_id;
    std::uint64_t sequence = 0;
    std::int64_t created_ms = 0; // wall clock, milliseconds since the epoch
    std::int64_t metrics_count = 0;
    int split_level = 0; // 1 once the item was split after a 413
    std::string body;    // JSON array of metric objects
};

struct SpoolEntry : SpoolItem {
    std::int64_t id = 0;
};

// An entries row as SQLite returns it: the item's fields and the checksum written with them.
struct StoredEntry {
    std::int64_t id = 0;
    std::string batch_id;
    std::int64_t sequence = 0;
    std::int64_t created_ms = 0;
    std::int64_t metrics_count = 0;
    std::int64_t split_level = 0;
    std::int64_t checksum = 0;
    std::string body;
};

// Returns the CRC-32 stored with an item, over batch_id, sequence, created_ms, metrics_count,
// split_level and body, so a damaged identity is caught as well as a damaged body.
std::int64_t entry_checksum(const SpoolItem& item);

// Returns the entry a stored row holds when its checksum verifies, nullopt when the row is
// corrupt. Pure: the spool's read path and the fuzz target share it.
std::optional<SpoolEntry> decode_entry(const StoredEntry& row);
// The same, taking row's body instead of copying it.
std::optional<SpoolEntry> decode_entry(StoredEntry&& row);

// Why an entry left the spool without a 2xx.
enum class DropReason { overflow, age, rejected, too_large, corrupt };

// Returns the counter name of a reason ("overflow", "age", "rejected", "too_large", "corrupt").
const char* reason_name(DropReason reason);

struct SpoolLimits {
    std::uint64_t max_bytes = 256ull << 20;
    std::chrono::seconds max_age{86400};
};

struct SpoolStats {
    std::int64_t batches = 0;
    std::int64_t bytes = 0;
    std::int64_t oldest_created_ms = 0; // 0 when empty
    std::int64_t created = 0;
    std::int64_t accepted = 0;
    std::map<std::string, std::int64_t> dropped; // by reason name, every reason present
    std::int64_t files_set_aside = 0;            // whole spool files found corrupt at open
    // Returns the sum of all counted drops.
    std::int64_t dropped_total() const;
};

class Spool {
public:
    using WallNow = std::function<util::SystemClock::time_point()>;

    // Opens or creates <dir>/spool.db; a file that fails SQLite's quick_check is renamed aside
    // (spool.db.corrupt-<ms>) and counted. Throws std::runtime_error when dir is unusable.
    Spool(const std::filesystem::path& dir, SpoolLimits limits, WallNow now = util::SystemClock::now);
    ~Spool();
    Spool(const Spool&) = delete;
    Spool& operator=(const Spool&) = delete;

    // Stores one batch's items in one transaction (counted as created), then drops the oldest
    // entries (counted as overflow) until the size bound holds. Returns how many were dropped.
    // Throws std::runtime_error on a local failure (disk full); nothing is stored then.
    std::size_t put(const std::vector<SpoolItem>& items);
    // The same for count items made one at a time by item(i), each released once stored.
    std::size_t put(std::size_t count, const std::function<SpoolItem(std::size_t)>& item);
    // Returns the oldest (or newest) entry whose checksum verifies; bad ones are set aside.
    std::optional<SpoolEntry> oldest();
    std::optional<SpoolEntry> newest();
    // Removes an entry the backend accepted (2xx) and counts it.
    void accepted(std::int64_t id);
    // Moves an entry to the quarantine table and counts it under reason.
    void set_aside(std::int64_t id, DropReason reason, const std::string& detail);
    // Replaces an entry by its parts (after a 413); created grows by parts.size() - 1.
    void replace(std::int64_t id, const std::vector<SpoolItem>& parts);
    // Drops entries older than max_age (counted as age). Returns how many.
    std::size_t expire();
    // Returns the backlog and the counters.
    SpoolStats stats();
    // Changes the bounds (a reloaded configuration); applied at the next put or expire.
    void set_limits(SpoolLimits limits);
    const std::filesystem::path& path() const { return path_; }

private:
    void open();
    void recover(const std::string& why);
    std::optional<SpoolEntry> pick(bool newest);
    void insert(const SpoolItem& item);
    // put(): insert_one(i) for i < count in one transaction, then the created count and the bound.
    std::size_t store(std::size_t count, const std::function<void(std::size_t)>& insert_one);
    void bump(const std::string& counter, std::int64_t by = 1);
    std::int64_t counter(const std::string& name);
    std::size_t drop_oldest_over(std::uint64_t max_bytes);
    void remove(std::int64_t id);
    template <class F> auto guarded(F&& f) -> decltype(f());
    template <class F> auto draining(F&& f) -> decltype(f());

    std::filesystem::path path_;
    SpoolLimits limits_;
    WallNow now_;
    std::unique_ptr<Database> db_;
    util::ReserveFile reserve_; // spool.reserve: room for the backlog to drain on a full disk
    std::int64_t files_set_aside_ = 0;
    std::mutex mutex_;
};

} // namespace pga::deliver

// The durable spool: see spool.hpp. Schema: `entries` (the backlog, ordered by created_ms, id),
// `quarantine` (the last entries set aside, for diagnosis) and `counters` (name -> value).
#include "pga/deliver/spool.hpp"

#include "pga/deliver/sqlite_db.hpp"

#include <limits>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <type_traits>
#include <zlib.h>

namespace pga::deliver {

namespace {

constexpr int k_quarantine_keep = 100;

// The WAL is checkpointed every 256 pages (1 MiB) and kept at most 2 MiB, so that the reserve
// below always covers a checkpoint plus the frames of a removal.
const char* const k_pragmas = "PRAGMA auto_vacuum = INCREMENTAL; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
                              "PRAGMA wal_autocheckpoint = 256; PRAGMA journal_size_limit = 2097152;";
constexpr std::uint64_t k_reserve_bytes = 2 << 20;

const char* const k_schema = R"(
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, batch_id TEXT NOT NULL, sequence INTEGER NOT NULL,
    created_ms INTEGER NOT NULL, metrics_count INTEGER NOT NULL, split_level INTEGER NOT NULL,
    size_bytes INTEGER NOT NULL, checksum INTEGER NOT NULL, body BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS entries_by_age ON entries (created_ms, id);
CREATE TABLE IF NOT EXISTS quarantine (
    id INTEGER PRIMARY KEY AUTOINCREMENT, batch_id TEXT, sequence INTEGER, reason TEXT NOT NULL,
    detail TEXT, at_ms INTEGER NOT NULL, body BLOB);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
)";

const char* const k_columns = "id, batch_id, sequence, created_ms, metrics_count, split_level, checksum, body";

std::int64_t to_ms(util::SystemClock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

} // namespace

std::int64_t entry_checksum(const SpoolItem& item) {
    const std::string head = item.batch_id + '\n' + std::to_string(item.sequence) + '\n' +
                             std::to_string(item.created_ms) + '\n' + std::to_string(item.metrics_count) + '\n' +
                             std::to_string(item.split_level) + '\n';
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32_z(crc, reinterpret_cast<const Bytef*>(head.data()), head.size());
    crc = crc32_z(crc, reinterpret_cast<const Bytef*>(item.body.data()), item.body.size());
    return static_cast<std::int64_t>(crc);
}

std::optional<SpoolEntry> decode_entry(const StoredEntry& row) {
    StoredEntry copy = row;
    return decode_entry(std::move(copy));
}

std::optional<SpoolEntry> decode_entry(StoredEntry&& row) {
    // split_level is an int in the item: a stored value outside int is damage, not a level (cut
    // to an int it could match the checksum of the value it was written with).
    if (row.split_level < std::numeric_limits<int>::min() || row.split_level > std::numeric_limits<int>::max()) {
        return std::nullopt;
    }
    SpoolEntry e;
    e.id = row.id;
    e.batch_id = row.batch_id;
    e.sequence = static_cast<std::uint64_t>(row.sequence);
    e.created_ms = row.created_ms;
    e.metrics_count = row.metrics_count;
    e.split_level = static_cast<int>(row.split_level);
    e.body = std::move(row.body);
    if (row.checksum != entry_checksum(e)) {
        return std::nullopt;
    }
    return e;
}

const char* reason_name(DropReason reason) {
    switch (reason) {
    case DropReason::overflow: return "overflow";
    case DropReason::age: return "age";
    case DropReason::rejected: return "rejected";
    case DropReason::too_large: return "too_large";
    case DropReason::corrupt: return "corrupt";
    }
    return "unknown";
}

std::int64_t SpoolStats::dropped_total() const {
    std::int64_t total = 0;
    for (const auto& [name, n] : dropped) {
        total += n;
    }
    return total;
}

Spool::Spool(const std::filesystem::path& dir, SpoolLimits limits, WallNow now)
    : path_(dir / "spool.db"), limits_(limits), now_(std::move(now)), reserve_(dir / "spool.reserve", k_reserve_bytes) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        throw std::runtime_error("spool: cannot create " + dir.string() + ": " + ec.message());
    }
    try {
        open();
    } catch (const SqliteError& e) {
        if (!e.corrupt()) {
            throw;
        }
        recover(e.what());
    }
    reserve_.hold();
}

Spool::~Spool() = default;

// Runs a removal; when it finds the disk full, gives up the reserve, checkpoints the WAL into
// the room it made and tries once more. Once a removal succeeds without it, takes it back.
template <class F> auto Spool::draining(F&& f) -> decltype(f()) {
    try {
        if constexpr (std::is_void_v<decltype(f())>) {
            guarded(f);
            reserve_.hold();
        } else {
            auto result = guarded(f);
            reserve_.hold();
            return result;
        }
    } catch (const SqliteError& e) {
        if (e.code() != SQLITE_FULL || !reserve_.release()) {
            throw;
        }
        spdlog::warn("spool {}: the disk is full; released the {} MiB reserve so that the backlog can drain",
                     path_.string(), reserve_.size_bytes() >> 20);
        db_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
        return guarded(f);
    }
}

void Spool::open() {
    db_.reset();
    db_ = std::make_unique<Database>(path_.string());
    ::chmod(path_.c_str(), 0600);
    std::string verdict = "no answer";
    {
        auto check = db_->prepare("PRAGMA quick_check");
        if (check.step()) {
            verdict = check.text(0);
        }
    }
    if (verdict != "ok") {
        throw SqliteError(11 /* SQLITE_CORRUPT */, "spool: quick_check: " + verdict);
    }
    db_->exec(k_pragmas);
    db_->exec(k_schema);
}

void Spool::recover(const std::string& why) {
    db_.reset();
    const auto aside = path_.string() + ".corrupt-" + std::to_string(to_ms(now_()));
    spdlog::error("spool {} is damaged ({}); moved aside to {} and starting an empty spool", path_.string(), why,
                  aside);
    std::error_code ec;
    std::filesystem::rename(path_, aside, ec);
    for (const char* suffix : {"-wal", "-shm"}) {
        std::filesystem::rename(path_.string() + suffix, aside + suffix, ec);
    }
    ++files_set_aside_;
    open();
    bump("files_set_aside", files_set_aside_);
    files_set_aside_ = 0;
}

template <class F> auto Spool::guarded(F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const SqliteError& e) {
        if (!e.corrupt()) {
            throw;
        }
        recover(e.what());
        return f();
    }
}

void Spool::bump(const std::string& name, std::int64_t by) {
    db_->prepare("INSERT INTO counters (name, value) VALUES (?1, ?2) "
                 "ON CONFLICT (name) DO UPDATE SET value = value + ?2")
        .bind(1, name)
        .bind(2, by)
        .run();
}

std::int64_t Spool::counter(const std::string& name) {
    auto st = db_->prepare("SELECT value FROM counters WHERE name = ?1");
    st.bind(1, name);
    return st.step() ? st.int64(0) : 0;
}

void Spool::insert(const SpoolItem& item) {
    db_->prepare("INSERT INTO entries (batch_id, sequence, created_ms, metrics_count, split_level, size_bytes, "
                 "checksum, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
        .bind(1, item.batch_id)
        .bind(2, static_cast<std::int64_t>(item.sequence))
        .bind(3, item.created_ms)
        .bind(4, item.metrics_count)
        .bind(5, static_cast<std::int64_t>(item.split_level))
        .bind(6, static_cast<std::int64_t>(item.body.size()))
        .bind(7, entry_checksum(item))
        .bind_blob(8, item.body)
        .run();
}

void Spool::remove(std::int64_t id) {
    db_->prepare("DELETE FROM entries WHERE id = ?1").bind(1, id).run();
}

std::size_t Spool::drop_oldest_over(std::uint64_t max_bytes) {
    auto total_q = db_->prepare("SELECT COALESCE(SUM(size_bytes), 0) FROM entries");
    total_q.step();
    auto total = static_cast<std::uint64_t>(total_q.int64(0));
    std::size_t dropped = 0;
    auto oldest_q = db_->prepare("SELECT id, size_bytes FROM entries ORDER BY created_ms, id LIMIT 1");
    while (total > max_bytes && oldest_q.step()) {
        const auto id = oldest_q.int64(0);
        total -= static_cast<std::uint64_t>(oldest_q.int64(1));
        oldest_q.reset();
        remove(id);
        ++dropped;
    }
    if (dropped > 0) {
        bump("dropped_overflow", static_cast<std::int64_t>(dropped));
    }
    return dropped;
}

std::size_t Spool::put(const std::vector<SpoolItem>& items) {
    return store(items.size(), [&](std::size_t i) { insert(items[i]); });
}

std::size_t Spool::put(std::size_t count, const std::function<SpoolItem(std::size_t)>& item) {
    return store(count, [&](std::size_t i) { insert(item(i)); });
}

std::size_t Spool::store(std::size_t count, const std::function<void(std::size_t)>& insert_one) {
    std::lock_guard lock(mutex_);
    return guarded([&] {
        Transaction tx(*db_);
        for (std::size_t i = 0; i < count; ++i) {
            insert_one(i);
        }
        bump("created", static_cast<std::int64_t>(count));
        const auto dropped = drop_oldest_over(limits_.max_bytes);
        tx.commit();
        return dropped;
    });
}

std::optional<SpoolEntry> Spool::pick(bool newest) {
    const std::string sql = std::string("SELECT ") + k_columns + " FROM entries ORDER BY created_ms " +
                            (newest ? "DESC, id DESC" : "ASC, id ASC") + " LIMIT 1";
    for (;;) {
        StoredEntry row;
        {
            auto st = db_->prepare(sql);
            if (!st.step()) {
                return std::nullopt;
            }
            row.id = st.int64(0);
            row.batch_id = st.text(1);
            row.sequence = st.int64(2);
            row.created_ms = st.int64(3);
            row.metrics_count = st.int64(4);
            row.split_level = st.int64(5);
            row.checksum = st.int64(6);
            row.body = st.blob(7);
        } // SQLite's copy of the body is released here
        const auto id = row.id;
        const auto batch_id = row.batch_id;
        if (auto entry = decode_entry(std::move(row))) {
            return entry;
        }
        spdlog::error("spool entry {} (batch {}) fails its checksum; set aside as corrupt", id, batch_id);
        Transaction tx(*db_);
        db_->prepare("INSERT INTO quarantine (batch_id, sequence, reason, detail, at_ms, body) "
                     "SELECT batch_id, sequence, 'corrupt', 'checksum mismatch', ?2, body FROM entries WHERE id = ?1")
            .bind(1, id)
            .bind(2, to_ms(now_()))
            .run();
        remove(id);
        bump("dropped_corrupt");
        tx.commit();
    }
}

std::optional<SpoolEntry> Spool::oldest() {
    std::lock_guard lock(mutex_);
    return guarded([&] { return pick(false); });
}

std::optional<SpoolEntry> Spool::newest() {
    std::lock_guard lock(mutex_);
    return guarded([&] { return pick(true); });
}

void Spool::accepted(std::int64_t id) {
    std::lock_guard lock(mutex_);
    draining([&] {
        Transaction tx(*db_);
        remove(id);
        bump("accepted");
        tx.commit();
    });
}

void Spool::set_aside(std::int64_t id, DropReason reason, const std::string& detail) {
    std::lock_guard lock(mutex_);
    draining([&] {
        Transaction tx(*db_);
        db_->prepare("INSERT INTO quarantine (batch_id, sequence, reason, detail, at_ms, body) "
                     "SELECT batch_id, sequence, ?2, ?3, ?4, body FROM entries WHERE id = ?1")
            .bind(1, id)
            .bind(2, std::string_view(reason_name(reason)))
            .bind(3, detail)
            .bind(4, to_ms(now_()))
            .run();
        remove(id);
        bump(std::string("dropped_") + reason_name(reason));
        db_->prepare("DELETE FROM quarantine WHERE id <= (SELECT MAX(id) FROM quarantine) - ?1")
            .bind(1, std::int64_t{k_quarantine_keep})
            .run();
        tx.commit();
    });
}

void Spool::replace(std::int64_t id, const std::vector<SpoolItem>& parts) {
    std::lock_guard lock(mutex_);
    draining([&] {
        Transaction tx(*db_);
        remove(id);
        for (const auto& part : parts) {
            insert(part);
        }
        bump("created", static_cast<std::int64_t>(parts.size()) - 1);
        tx.commit();
    });
}

std::size_t Spool::expire() {
    std::lock_guard lock(mutex_);
    return draining([&] {
        const auto cutoff =
            to_ms(now_()) - std::chrono::duration_cast<std::chrono::milliseconds>(limits_.max_age).count();
        Transaction tx(*db_);
        auto st = db_->prepare("DELETE FROM entries WHERE created_ms < ?1");
        st.bind(1, cutoff).run();
        const auto n = static_cast<std::size_t>(db_->changes());
        if (n > 0) {
            bump("dropped_age", static_cast<std::int64_t>(n));
        }
        drop_oldest_over(limits_.max_bytes);
        tx.commit();
        if (n > 0) {
            db_->exec("PRAGMA incremental_vacuum");
        }
        return n;
    });
}

SpoolStats Spool::stats() {
    std::lock_guard lock(mutex_);
    return guarded([&] {
        SpoolStats s;
        auto st = db_->prepare("SELECT COUNT(*), COALESCE(SUM(size_bytes), 0), COALESCE(MIN(created_ms), 0) "
                               "FROM entries");
        st.step();
        s.batches = st.int64(0);
        s.bytes = st.int64(1);
        s.oldest_created_ms = st.int64(2);
        s.created = counter("created");
        s.accepted = counter("accepted");
        for (auto r : {DropReason::overflow, DropReason::age, DropReason::rejected, DropReason::too_large,
                       DropReason::corrupt}) {
            s.dropped[reason_name(r)] = counter(std::string("dropped_") + reason_name(r));
        }
        s.files_set_aside = counter("files_set_aside");
        return s;
    });
}

void Spool::set_limits(SpoolLimits limits) {
    std::lock_guard lock(mutex_);
    limits_ = limits;
}

} // namespace pga::deliver

// pg_query_stats: the top statements per database from pg_stat_statements. One cluster-wide read
// per cycle (without query text), split by dbid and labelled with the name pg_database gives that
// dbid, so one database's statements never carry another's name. The rows are read through a
// cursor, a thousand at a time, so libpq never holds all of them. Texts are fetched only for
// statements not seen before. Counters are cumulative since the statistics were last reset.
#pragma once

#include "pga/collect/collector.hpp"
#include "pga/collectors/query_text.hpp"
#include "pga/pg/session.hpp"

#include <functional>
#include <map>
#include <mutex>
#include <optional>

namespace pga::collectors {

struct QueryStatsOptions {
    std::int64_t limit = 100;           // top statements per database
    std::vector<std::string> databases; // databases to report
    // Returns true once the run's time budget is spent: checked before each FETCH and text read
    // (a cancel sent while the session was idle between two of them would be lost).
    std::function<bool()> expired = [] { return false; };
};

// One database's entries, each serialized as it is read: 10,000 statements are a few megabytes of
// text, where a document tree of them would be several times that (docs/benchmarks.md).
struct QueryStatsDb {
    std::int64_t present = 0;
    std::int64_t sent = 0;
    std::string queries = "[";
};
using QueryStatsDatabases = std::map<std::string, QueryStatsDb, std::less<>>;

// The session-level part of pg_query_stats, kept apart from pooling so unit tests can drive it
// with a scripted session.
class QueryStatsReader {
public:
    // Appends one object per monitored database to out.metrics, or sets out.unavailable when the
    // extension is missing or not preloaded. Throws pg::Error on any other failure.
    void read(pg::Session& session, const QueryStatsOptions& options, collect::Output& out);
    // Returns the number of cached query texts.
    std::size_t cached_texts() const { return cache_.size(); }

private:
    // Returns the statistics query for this server, or nullopt (out.unavailable set) when the
    // extension is not installed; schema gets its quoted schema.
    std::optional<std::string> statements_sql(pg::Session& session, std::string& schema, collect::Output& out);
    // Writes the entries of one batch of statistics rows to their databases, fetching the texts not
    // cached yet; adds the batch's keys to wanted.
    void write_rows(pg::Session& session, const std::string& schema, const pg::Result& stats,
                    QueryStatsDatabases& by_db, std::set<QueryTextCache::Key>& wanted,
                    const QueryStatsOptions& options);
    void fetch_texts(pg::Session& session, const std::string& schema, const std::set<QueryTextCache::Key>& wanted,
                     const QueryStatsOptions& options);
    QueryTextCache cache_;
};

class QueryStatsCollector final : public collect::Collector {
public:
    void collect(const collect::Context& ctx, collect::Output& out) override;

private:
    std::mutex mutex_;
    QueryStatsReader reader_;
};

} // namespace pga::collectors

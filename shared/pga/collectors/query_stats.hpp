// pg_query_stats: the top statements per database from pg_stat_statements. One cluster-wide read
// per cycle (without query text), split by dbid and labelled with the name pg_database gives that
// dbid, so one database's statements never carry another's name. Texts are fetched only for
// statements not seen before. Counters are cumulative since the statistics were last reset.
#pragma once

#include "pga/collect/collector.hpp"
#include "pga/collectors/query_text.hpp"
#include "pga/pg/session.hpp"

#include <mutex>
#include <optional>

namespace pga::collectors {

struct QueryStatsOptions {
    std::int64_t limit = 100;           // top statements per database
    std::vector<std::string> databases; // databases to report
};

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
    std::optional<pg::Result> read_statements(pg::Session& session, const QueryStatsOptions& options,
                                              std::string& schema, collect::Output& out);
    void fetch_texts(pg::Session& session, const std::string& schema, const std::set<QueryTextCache::Key>& wanted);
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

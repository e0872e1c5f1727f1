// pg_query_stats: see query_stats.hpp.
#include "pga/collectors/query_stats.hpp"

#include "pga/collectors/factories.hpp"
#include "pga/collectors/query_stats_sql.hpp"
#include "pga/collectors/row_json.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <spdlog/spdlog.h>

namespace pga::collectors {

namespace {

constexpr Field k_query_fields[] = {
    {"calls", Kind::integer},
    {"total_time", Kind::number},
    {"min_time", Kind::number},
    {"max_time", Kind::number},
    {"rows", Kind::integer},
    {"shared_blks_hit", Kind::integer},
    {"shared_blks_read", Kind::integer},
    {"shared_blks_dirtied", Kind::integer},
    {"shared_blks_written", Kind::integer},
    {"local_blks_hit", Kind::integer},
    {"local_blks_read", Kind::integer},
    {"local_blks_dirtied", Kind::integer},
    {"local_blks_written", Kind::integer},
    {"temp_blks_read", Kind::integer},
    {"temp_blks_written", Kind::integer},
    {"blk_read_time", Kind::number},
    {"blk_write_time", Kind::number},
    {"wal_records", Kind::integer},
    {"wal_fpi", Kind::integer},
    {"wal_bytes", Kind::integer},
    {"query_plan_time", Kind::number},
};

// The columns of the statistics result read by name for every row, looked up once.
struct StatsColumns {
    explicit StatsColumns(const pg::Result& r)
        : dbid(r.column("dbid")), queryid(r.column("queryid")), datname(r.column("datname")),
          present(r.column("present")), calls(r.column("calls")), total_time(r.column("total_time")),
          sum_squares(r.column("sum_squares")) {}
    int dbid, queryid, datname, present, calls, total_time, sum_squares;
};

// Appends the members of a query entry that are computed from its stats row: hash, mean and
// standard deviation of the execution time, total execution time (ms).
void append_computed(std::string& out, const pg::Result& r, const StatsColumns& c, int row) {
    append_member(out, "hash", r.get_int(row, c.queryid).value_or(0));
    const double calls = r.get_double(row, c.calls).value_or(0);
    const double total = r.get_double(row, c.total_time).value_or(0);
    const double squares = r.get_double(row, c.sum_squares).value_or(0);
    const double mean = calls > 0 ? total / calls : 0;
    append_member(out, "mean_time", mean);
    append_member(out, "stddev_time", calls > 0 ? std::sqrt(std::max(0.0, squares / calls - mean * mean)) : 0.0);
    append_member(out, "query_exec_time", total);
}

QueryTextCache::Key key_of(const pg::Result& r, int row, int dbid, int queryid) {
    return {r.get_int(row, dbid).value_or(0), r.get_int(row, queryid).value_or(0)};
}

QueryTextCache::Key key_of(const pg::Result& r, int row) {
    return key_of(r, row, r.column("dbid"), r.column("queryid"));
}

// The statements are read through a cursor, k_fetch_rows at a time: libpq holds one batch of rows
// instead of the whole result (10,000 statements are megabytes of it).
constexpr int k_fetch_rows = 1000;
constexpr const char* k_cursor = "pga_query_stats";

// The cursor's read-only transaction: committed by commit(), else rolled back (when that fails
// too, the pool's health check drops the connection, which is then not idle).
class ReadTransaction {
public:
    explicit ReadTransaction(pg::Session& s) : s_(s) { s_.query("BEGIN"); }
    ~ReadTransaction() {
        if (open_) {
            try {
                s_.query("ROLLBACK");
            } catch (...) { // NOLINT(bugprone-empty-catch): see above; a destructor must not throw
            }
        }
    }
    ReadTransaction(const ReadTransaction&) = delete;
    ReadTransaction& operator=(const ReadTransaction&) = delete;
    void commit() {
        open_ = false;
        s_.query("COMMIT");
    }

private:
    pg::Session& s_;
    bool open_ = true;
};

// Throws pg::Error when the run's time budget is spent.
void check_budget(const QueryStatsOptions& options) {
    if (options.expired()) {
        throw pg::Error("time budget exhausted while reading pg_stat_statements");
    }
}

bool not_preloaded(const pg::Error& e) {
    return e.sqlstate() == "55000" || std::string_view(e.what()).find("shared_preload_libraries") != std::string::npos;
}

// Returns the database's object as text (without type, timestamp and status: collect::Output::texts).
std::string database_object(const std::string& db, QueryStatsDb& q) {
    const auto sent = q.sent;
    const double sampling = q.present > 0 ? static_cast<double>(sent) * 100.0 / static_cast<double>(q.present) : 100.0;
    spdlog::info("Successfully collected {} queries from {}", sent, db);
    spdlog::debug("pg_query_stats sampling_percent for {}: {:.1f} ({} of {} statements)", db, sampling, sent,
                  q.present);
    const nlohmann::json head = {{"database", db},
                                 {"counters", "cumulative"},
                                 {"sampling_percent", sampling},
                                 {"statements_present", q.present}};
    q.queries += ']';
    auto text = object_text(head, {{"queries", q.queries}});
    q.queries = std::string();
    return text;
}

} // namespace

std::optional<std::string> QueryStatsReader::statements_sql(pg::Session& session, std::string& schema,
                                                            collect::Output& out) {
    const auto schema_name = session.value(k_query_stats_schema_sql);
    if (!schema_name) {
        out.unavailable = "pg_stat_statements is not installed in database \"" + session.database() +
                          "\" (run CREATE EXTENSION pg_stat_statements there)";
        return std::nullopt;
    }
    schema = session.quote_identifier(*schema_name);
    std::set<std::string> columns;
    const auto cols = session.query(k_query_stats_columns_sql, {*schema_name});
    for (int i = 0; i < cols.rows(); ++i) {
        columns.emplace(cols.text(i, 0));
    }
    return query_stats_sql(schema, columns);
}

void QueryStatsReader::read(pg::Session& session, const QueryStatsOptions& options, collect::Output& out) {
    std::string schema;
    const auto sql = statements_sql(session, schema, out);
    if (!sql) {
        return;
    }
    QueryStatsDatabases by_db;
    for (const auto& db : options.databases) {
        spdlog::debug("Collecting query stats for database: {}", db);
        by_db[db];
    }
    std::set<QueryTextCache::Key> wanted;
    {
        ReadTransaction tx(session);
        try {
            session.query(std::string("DECLARE ") + k_cursor + " NO SCROLL CURSOR FOR " + *sql,
                          {std::to_string(options.limit)});
            const auto fetch = std::string("FETCH ") + std::to_string(k_fetch_rows) + " FROM " + k_cursor;
            for (;;) {
                check_budget(options);
                const auto batch = session.query(fetch);
                write_rows(session, schema, batch, by_db, wanted, options);
                if (batch.rows() < k_fetch_rows) {
                    break;
                }
            }
        } catch (const pg::Error& e) {
            if (!not_preloaded(e)) {
                throw;
            }
            out.unavailable =
                "pg_stat_statements is not loaded (add it to shared_preload_libraries and restart PostgreSQL)";
            return;
        }
        tx.commit();
    }
    for (auto& [db, q] : by_db) {
        out.rows += static_cast<std::uint64_t>(q.sent);
        out.texts.push_back(database_object(db, q));
    }
    cache_.trim(wanted);
}

void QueryStatsReader::write_rows(pg::Session& session, const std::string& schema, const pg::Result& stats,
                                  QueryStatsDatabases& by_db, std::set<QueryTextCache::Key>& wanted,
                                  const QueryStatsOptions& options) {
    const StatsColumns c(stats);
    const auto monitored = [&](int row) { return by_db.find(stats.text(row, c.datname)); };
    std::set<QueryTextCache::Key> keys;
    for (int row = 0; row < stats.rows(); ++row) {
        if (monitored(row) != by_db.end()) {
            keys.insert(key_of(stats, row, c.dbid, c.queryid));
        }
    }
    fetch_texts(session, schema, keys, options);
    wanted.merge(keys);
    // Each entry is written straight from its row: the backend's shape (counters, times in ms),
    // then the computed members and the (obfuscated) text.
    const RowWriter writer(stats, k_query_fields);
    const RowExtra computed = [&](int row, std::string& text) {
        append_computed(text, stats, c, row);
        append_text_member(text, "text", cache_.find(key_of(stats, row, c.dbid, c.queryid)));
    };
    for (int row = 0; row < stats.rows(); ++row) {
        if (const auto it = monitored(row); it != by_db.end()) {
            it->second.present = stats.get_int(row, c.present).value_or(0);
            auto& d = it->second;
            d.queries += d.sent++ == 0 ? "" : ",";
            writer.append(d.queries, row, computed);
        }
    }
}

void QueryStatsReader::fetch_texts(pg::Session& session, const std::string& schema,
                                   const std::set<QueryTextCache::Key>& wanted, const QueryStatsOptions& options) {
    std::string ids;
    for (const auto& key : wanted) {
        if (cache_.find(key) == nullptr) {
            ids += (ids.empty() ? "" : ",") + std::to_string(key.second);
        }
    }
    if (ids.empty()) {
        return;
    }
    // Inside the cursor's transaction: a failure here rolls back to the savepoint, not the cursor.
    check_budget(options);
    session.query("SAVEPOINT pga_query_texts");
    try {
        const auto r = session.query(query_text_sql(schema), {"{" + ids + "}"});
        session.query("RELEASE SAVEPOINT pga_query_texts");
        for (int row = 0; row < r.rows(); ++row) {
            const auto key = key_of(r, row);
            if (wanted.count(key) > 0 && !r.is_null(row, r.column("query"))) {
                cache_.put(key, clean_query_text(r.text(row, r.column("query"))));
            }
        }
    } catch (const pg::Error& e) {
        spdlog::warn("pg_query_stats: cannot read query texts: {}", e.what());
        session.query("ROLLBACK TO SAVEPOINT pga_query_texts");
    }
}

void QueryStatsCollector::collect(const collect::Context& ctx, collect::Output& out) {
    std::lock_guard lock(mutex_);
    auto conn = ctx.borrow(ctx.config.postgresql.database);
    reader_.read(*conn, {ctx.config.postgresql.query_stats_limit, ctx.databases, [&ctx] { return ctx.expired(); }},
                 out);
}

std::unique_ptr<collect::Collector> make_query_stats() {
    return std::make_unique<QueryStatsCollector>();
}

} // namespace pga::collectors

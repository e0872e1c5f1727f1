// pg_query_stats SQL: see query_stats_sql.hpp.
#include "pga/collectors/query_stats_sql.hpp"

#include <vector>

namespace pga::collectors {

namespace {

// Returns the first of names the view has, else "NULL".
std::string pick(const std::set<std::string>& columns, const std::vector<const char*>& names) {
    for (const char* n : names) {
        if (columns.count(n) > 0) {
            return n;
        }
    }
    return "NULL";
}

struct Sum {
    const char* key;
    std::vector<const char*> sources;
    const char* cast;
};

// Columns summed per (dbid, queryid): output key, source columns by preference, result type.
const std::vector<Sum>& summed() {
    static const std::vector<Sum> sums = {
        {"calls", {"calls"}, "int8"},
        {"total_time", {"total_exec_time", "total_time"}, "float8"},
        {"rows", {"rows"}, "int8"},
        {"shared_blks_hit", {"shared_blks_hit"}, "int8"},
        {"shared_blks_read", {"shared_blks_read"}, "int8"},
        {"shared_blks_dirtied", {"shared_blks_dirtied"}, "int8"},
        {"shared_blks_written", {"shared_blks_written"}, "int8"},
        {"local_blks_hit", {"local_blks_hit"}, "int8"},
        {"local_blks_read", {"local_blks_read"}, "int8"},
        {"local_blks_dirtied", {"local_blks_dirtied"}, "int8"},
        {"local_blks_written", {"local_blks_written"}, "int8"},
        {"temp_blks_read", {"temp_blks_read"}, "int8"},
        {"temp_blks_written", {"temp_blks_written"}, "int8"},
        {"blk_read_time", {"shared_blk_read_time", "blk_read_time"}, "float8"},
        {"blk_write_time", {"shared_blk_write_time", "blk_write_time"}, "float8"},
        {"wal_records", {"wal_records"}, "int8"},
        {"wal_fpi", {"wal_fpi"}, "int8"},
        {"wal_bytes", {"wal_bytes"}, "int8"},
        {"query_plan_time", {"total_plan_time"}, "float8"},
    };
    return sums;
}

} // namespace

std::string query_stats_sql(const std::string& schema, const std::set<std::string>& columns) {
    const auto mean = pick(columns, {"mean_exec_time", "mean_time"});
    const auto stddev = pick(columns, {"stddev_exec_time", "stddev_time"});
    std::string inner = "SELECT dbid, queryid, " + mean + " AS mean_t, " + stddev + " AS stddev_t, " +
                        pick(columns, {"min_exec_time", "min_time"}) + " AS min_t, " +
                        pick(columns, {"max_exec_time", "max_time"}) + " AS max_t";
    std::string sums;
    for (const auto& s : summed()) {
        inner += ", " + pick(columns, s.sources) + " AS " + s.key;
        sums += ", sum(" + std::string(s.key) + ")::" + s.cast + " AS " + s.key;
    }
    return "WITH s AS (" + inner + " FROM " + schema +
           ".pg_stat_statements(false) WHERE queryid IS NOT NULL),"
           " a AS (SELECT dbid, queryid, min(min_t)::float8 AS min_time, max(max_t)::float8 AS max_time,"
           " sum(calls * (stddev_t * stddev_t + mean_t * mean_t))::float8 AS sum_squares" +
           sums +
           " FROM s GROUP BY dbid, queryid),"
           " r AS (SELECT a.*, row_number() OVER (PARTITION BY dbid ORDER BY total_time DESC, queryid) AS rank,"
           " count(*) OVER (PARTITION BY dbid) AS present FROM a)"
           " SELECT d.datname, r.* FROM r JOIN pg_catalog.pg_database d ON d.oid = r.dbid"
           " WHERE r.rank <= $1 ORDER BY d.datname, r.rank";
}

std::string query_text_sql(const std::string& schema) {
    return "SELECT DISTINCT ON (dbid, queryid) dbid, queryid, query FROM " + schema +
           ".pg_stat_statements(true) WHERE queryid = ANY($1::int8[]) ORDER BY dbid, queryid";
}

} // namespace pga::collectors

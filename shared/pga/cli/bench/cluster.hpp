// The throwaway cluster of `pga-bench --scale N`: initdb in a private temporary directory, a
// server on a Unix socket only, N databases with tables, indexes and rows, and a
// pg_stat_statements workload of a chosen number of distinct statements; stopped and removed when
// the object goes away. As root, the server programs run as the `postgres` user.
#pragma once

#include "pga/pg/connection.hpp"

#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

namespace pga::cli::bench {

struct ScaleSpec {
    int databases = 10;
    int tables = 20;       // per database, each with a primary key and one more index
    int rows = 1000;       // per table
    int statements = 1000; // distinct statements in pg_stat_statements, spread over the databases
    int max_connections = 100;
};

// Returns an error text when spec is out of range, else "".
std::string check(const ScaleSpec& spec);

// Returns statement j (0-based) of a database's workload: distinct per j (its expression tree
// differs, so pg_stat_statements keeps one entry per statement on every major version).
std::string workload_statement(int j, int tables);

// Returns the name of database i (0-based): bench_001, bench_002, ...
std::string database_name(int i);

class ThrowawayCluster {
public:
    // Creates, starts and fills the cluster; progress lines go to progress. pg_bin "" picks the
    // newest /usr/lib/postgresql/N/bin, else initdb from PATH. Throws std::runtime_error with the
    // failing step and the server log's last lines.
    ThrowawayCluster(const ScaleSpec& spec, const std::string& pg_bin, bool keep, std::ostream& progress);
    ~ThrowawayCluster();
    ThrowawayCluster(const ThrowawayCluster&) = delete;
    ThrowawayCluster& operator=(const ThrowawayCluster&) = delete;

    // Connection parameters for the monitoring role (pg_monitor only), database "postgres".
    pg::ConnParams monitor_params() const;
    // Connection parameters for the superuser, database "postgres".
    pg::ConnParams admin_params() const;
    std::vector<std::string> databases() const;
    const std::filesystem::path& dir() const { return dir_; }
    // Rows in pg_stat_statements after the workload.
    long statements_tracked() const { return statements_tracked_; }

    static constexpr const char* k_monitor_role = "pga_bench";

private:
    void run(const std::vector<std::string>& argv, const std::string& step);
    [[noreturn]] void fail(const std::string& step, const std::string& why);
    void configure();
    void populate(std::ostream& progress);
    void cleanup() noexcept; // stops the server and removes the directory (unless kept)

    ScaleSpec spec_;
    std::filesystem::path bin_;
    std::filesystem::path dir_;
    std::vector<std::string> run_as_; // runuser prefix when root
    bool keep_ = false;
    bool started_ = false;
    long statements_tracked_ = 0;
};

} // namespace pga::cli::bench

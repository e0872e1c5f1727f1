// Shared plumbing of the catalog collectors: a collector that runs one read function on a pooled
// session (cluster-wide on the main database, or once per monitored database), and small result
// conversions (whole result sets, generic rows, PostgreSQL integer arrays).
#pragma once

#include "pga/collect/collector.hpp"
#include "pga/collectors/row_json.hpp"
#include "pga/pg/session.hpp"

#include <functional>

namespace pga::collectors {

// Reads one metric type through session into out; throws pg::Error on a failed query.
using SessionRead = std::function<void(pg::Session& session, const collect::Context& ctx, collect::Output& out)>;

class SessionCollector final : public collect::Collector {
public:
    // per_database: run read once per database in ctx.databases; else once on the main database.
    SessionCollector(SessionRead read, bool per_database) : read_(std::move(read)), per_database_(per_database) {}
    void collect(const collect::Context& ctx, collect::Output& out) override;
    bool per_database() const override { return per_database_; }

private:
    SessionRead read_;
    bool per_database_;
};

// Returns every row of r as an object of fields.
nlohmann::json rows_array(const pg::Result& r, std::span<const Field> fields);

// Returns row `row` with every column: integers and numbers as numbers, anything else as text,
// NULL as null.
nlohmann::json generic_row(const pg::Result& r, int row);

// Returns the integers of a PostgreSQL array literal such as "{12,34}" (empty for "{}" or junk).
std::vector<std::int64_t> parse_int_array(std::string_view text);

// Returns the value of column `name` of row 0 as an integer, or fallback.
std::int64_t first_int(const pg::Result& r, const char* name, std::int64_t fallback = 0);

} // namespace pga::collectors

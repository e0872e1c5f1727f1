// An optional observer of every query a pg::Connection runs (database, SQL, parameters): pga-bench
// records one cycle's SQL with it to replay it as the floor. Unset (the default) it costs one
// atomic load per query. Set and clear it only while no query runs (between cycles).
#pragma once

#include "pga/pg/session.hpp"

#include <string>
#include <string_view>

namespace pga::pg {

class QueryObserver {
public:
    virtual ~QueryObserver() = default;
    // Called before the query is sent, on the querying thread (must be thread-safe).
    virtual void on_query(const std::string& database, std::string_view sql, const Params& params) = 0;
};

// Installs observer (nullptr removes it); the caller keeps it alive while installed.
void set_query_observer(QueryObserver* observer);

// Returns the installed observer, or nullptr.
QueryObserver* query_observer();

} // namespace pga::pg

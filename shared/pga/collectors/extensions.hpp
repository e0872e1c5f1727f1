// pg_extensions: the extensions installed in each database (name, version, schema, relocatable) and
// the version the server would install by default, so an outdated extension stands out.
#pragma once

#include "pga/collect/collector.hpp"
#include "pga/pg/session.hpp"

namespace pga::collectors {

// Returns the pg_extensions object of the database session is connected to; throws pg::Error.
nlohmann::json read_extensions(pg::Session& session, std::uint64_t* rows);

} // namespace pga::collectors

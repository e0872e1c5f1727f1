// The push body of the backend contract, built at send time around a spooled metrics array (so a
// re-registration's new collector_id applies to the backlog too) with the one envelope definition
// of collect/envelope.hpp (schema_version included), and optional gzip.
#pragma once

#include "pga/collect/envelope.hpp"
#include "pga/deliver/spool.hpp"

#include <string>
#include <string_view>

namespace pga::deliver {

// collector_id must equal the token's collector_id claim.
using EnvelopeHeader = collect::EnvelopeInfo;

// Returns the JSON push body of collect::envelope_head: schema_version, collector_id, hostname,
// timestamp (the batch's creation, RFC3339 UTC), version, batch_id, sequence, metrics_count, and
// the entry's metrics array.
std::string build_envelope(const EnvelopeHeader& header, const SpoolEntry& entry);

// Returns data compressed as one gzip member. Throws std::runtime_error when zlib fails.
std::string gzip(std::string_view data);

} // namespace pga::deliver

// The push body of the backend contract, built at send time around a spooled metrics array (so a
// re-registration's new collector_id applies to the backlog too), and optional gzip.
#pragma once

#include "pga/deliver/spool.hpp"

#include <string>
#include <string_view>

namespace pga::deliver {

struct EnvelopeHeader {
    std::string collector_id; // must equal the token's collector_id claim
    std::string hostname;
    std::string version;
};

// Returns the JSON push body: collector_id, hostname, timestamp (the batch's creation, RFC3339
// UTC), version, batch_id, sequence, metrics_count and the entry's metrics array.
std::string build_envelope(const EnvelopeHeader& header, const SpoolEntry& entry);

// Returns data compressed as one gzip member. Throws std::runtime_error when zlib fails.
std::string gzip(std::string_view data);

} // namespace pga::deliver

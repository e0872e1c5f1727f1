// The JSON envelope of a batch as the pgAnalytics backend's push endpoint takes it: collector_id,
// hostname, timestamp (RFC3339 UTC), version, metrics_count and metrics, plus schema_version
// (docs/payload.md), batch_id and sequence so the backend can drop duplicates. Used by the
// dry-run printer.
#pragma once

#include "pga/collect/batch.hpp"

#include <string>

namespace pga::collect {

struct EnvelopeInfo {
    std::string collector_id; // empty: not registered yet (sent as null)
    std::string hostname;
    std::string version;
};

// Returns the push body of batch.
nlohmann::json make_envelope(const Batch& batch, const EnvelopeInfo& info);

// Returns j as JSON text; invalid UTF-8 in strings (database names may hold any bytes) is replaced
// by U+FFFD so the text is always valid JSON. indent < 0: compact.
std::string dump_json(const nlohmann::json& j, int indent = -1);

} // namespace pga::collect

// The JSON envelope of a batch as the pgAnalytics backend's push endpoint takes it: schema_version
// (docs/payload.md), collector_id, hostname, timestamp (RFC3339 UTC), version, batch_id and
// sequence (so the backend can drop duplicates), metrics_count and metrics. The one definition of
// the push body: the dry-run printer uses make_envelope, delivery (deliver/envelope.hpp) wraps a
// spooled metrics array with envelope_head and envelope_text.
#pragma once

#include "pga/collect/batch.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace pga::collect {

// The payload schema version every push body carries (docs/payload.md, docs/payload.schema.json).
inline constexpr int k_schema_version = 1;

struct EnvelopeInfo {
    std::string collector_id; // empty: not registered yet (sent as null)
    std::string hostname;
    std::string version;
};

// Identity of the batch (or part of a batch) an envelope carries.
struct EnvelopeBatch {
    std::string batch_id;
    std::uint64_t sequence = 0;
    util::SystemClock::time_point created;
    std::size_t metrics_count = 0;
};

// Returns every field of the push body except `metrics`.
nlohmann::json envelope_head(const EnvelopeInfo& info, const EnvelopeBatch& batch);

// Returns the push body text: head (from envelope_head) with `metrics` set to metrics_array, the
// JSON text of an array, placed last without re-parsing it.
std::string envelope_text(const nlohmann::json& head, std::string_view metrics_array);

// Returns the push body of batch as a document (the dry-run printer indents it).
nlohmann::json make_envelope(const Batch& batch, const EnvelopeInfo& info);

// Hands the push body of batch to sink piece by piece, in order (its text is the concatenation of
// the pieces): a caller that only measures or compresses the body never holds all of it.
void envelope_pieces(const Batch& batch, const EnvelopeInfo& info, const std::function<void(std::string_view)>& sink);

// Returns the push body of batch as compact text, built from the metrics' texts (envelope_pieces).
std::string envelope_body(const Batch& batch, const EnvelopeInfo& info);

// Returns j as JSON text; invalid UTF-8 in strings (database names may hold any bytes) is replaced
// by U+FFFD so the text is always valid JSON. indent < 0: compact.
std::string dump_json(const nlohmann::json& j, int indent = -1);

} // namespace pga::collect

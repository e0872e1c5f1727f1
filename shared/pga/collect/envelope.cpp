// The batch envelope: see envelope.hpp.
#include "pga/collect/envelope.hpp"

namespace pga::collect {

nlohmann::json make_envelope(const Batch& batch, const EnvelopeInfo& info) {
    return {
        {"schema_version", 1},
        {"collector_id", info.collector_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(info.collector_id)},
        {"hostname", info.hostname},
        {"timestamp", util::rfc3339_utc(batch.created)},
        {"version", info.version},
        {"batch_id", batch.batch_id},
        {"sequence", batch.sequence},
        {"metrics_count", batch.metrics.size()},
        {"metrics", batch.metrics},
    };
}

std::string dump_json(const nlohmann::json& j, int indent) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace pga::collect

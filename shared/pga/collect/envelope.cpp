// The batch envelope: see envelope.hpp.
#include "pga/collect/envelope.hpp"

namespace pga::collect {

nlohmann::json envelope_head(const EnvelopeInfo& info, const EnvelopeBatch& batch) {
    return {
        {"schema_version", k_schema_version},
        {"collector_id", info.collector_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(info.collector_id)},
        {"hostname", info.hostname},
        {"timestamp", util::rfc3339_utc(batch.created)},
        {"version", info.version},
        {"batch_id", batch.batch_id},
        {"sequence", batch.sequence},
        {"metrics_count", batch.metrics_count},
    };
}

std::string envelope_text(const nlohmann::json& head, std::string_view metrics_array) {
    std::string text = dump_json(head);
    text.pop_back(); // the closing brace; the metrics array goes last
    text += ",\"metrics\":";
    text += metrics_array;
    text += '}';
    return text;
}

nlohmann::json make_envelope(const Batch& batch, const EnvelopeInfo& info) {
    auto e = envelope_head(info, {batch.batch_id, batch.sequence, batch.created, batch.metrics.size()});
    e["metrics"] = batch.metrics;
    return e;
}

std::string dump_json(const nlohmann::json& j, int indent) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace pga::collect

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
    const auto head_text = dump_json(head);
    std::string text;
    text.reserve(head_text.size() + metrics_array.size() + 16); // one allocation for a multi-MB body
    text.append(head_text, 0, head_text.size() - 1);            // the closing brace; the metrics go last
    text += ",\"metrics\":";
    text += metrics_array;
    text += '}';
    return text;
}

nlohmann::json make_envelope(const Batch& batch, const EnvelopeInfo& info) {
    auto e = envelope_head(info, {batch.batch_id, batch.sequence, batch.created, batch.metrics.size()});
    auto& metrics = e["metrics"] = nlohmann::json::array();
    for (const auto& m : batch.metrics) {
        auto object = m.parse();
        if (object.is_discarded()) {
            object = {
                {"type", m.type()}, {"status", "error"}, {"error", "this metric object's text is not valid JSON"}};
        }
        metrics.push_back(std::move(object));
    }
    return e;
}

void envelope_pieces(const Batch& batch, const EnvelopeInfo& info, const std::function<void(std::string_view)>& sink) {
    const auto head =
        dump_json(envelope_head(info, {batch.batch_id, batch.sequence, batch.created, batch.metrics.size()}));
    sink(std::string_view(head).substr(0, head.size() - 1)); // the closing brace; the metrics go last
    sink(",\"metrics\":[");
    for (std::size_t i = 0; i < batch.metrics.size(); ++i) {
        if (i > 0) {
            sink(",");
        }
        sink(batch.metrics[i].text());
    }
    sink("]}");
}

std::string envelope_body(const Batch& batch, const EnvelopeInfo& info) {
    std::size_t bytes = 1024;
    for (const auto& m : batch.metrics) {
        bytes += m.text().size() + 1;
    }
    std::string text; // built in place: the body is the largest single allocation of a cycle
    text.reserve(bytes);
    envelope_pieces(batch, info, [&](std::string_view piece) { text += piece; });
    return text;
}

std::string dump_json(const nlohmann::json& j, int indent) {
    return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace pga::collect

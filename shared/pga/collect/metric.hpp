// One metric object of a batch, held as its JSON text. A cycle's objects then cost their
// serialized size instead of a document tree several times larger, and each is serialized once,
// by the worker that collected it (docs/benchmarks.md). The type and status are kept beside the
// text for the sinks that route on them; parse() gives the object back where a sink needs it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pga::collect {

class Metric {
public:
    Metric() = default;
    // Serializes object (implicit, so an object can be added wherever a metric is expected).
    Metric(const nlohmann::json& object); // NOLINT(google-explicit-constructor)
    // Takes text, the JSON of one object whose type and status are the ones given.
    Metric(std::string type, std::string status, std::string text);

    const std::string& text() const { return text_; }
    const std::string& type() const { return type_; }
    const std::string& status() const { return status_; }
    // Returns the object; a discarded value (is_discarded()) when the text is not JSON, which
    // only a defect in the code that wrote it can cause: never throws on bad text.
    nlohmann::json parse() const;

private:
    std::string type_;
    std::string status_;
    std::string text_;
};

// Returns each object as a metric.
std::vector<Metric> to_metrics(const std::vector<nlohmann::json>& objects);

// Returns the JSON text of an array of the metrics ("[" a "," b "]"), without re-serializing them.
std::string array_text(const std::vector<Metric>& metrics);
std::string array_text(const std::vector<const Metric*>& metrics);

} // namespace pga::collect

// A small builder of Prometheus metric families for a custom Collectable: one family per name
// (help and type set once), label values made safe for the text format (control characters and
// invalid UTF-8 escaped), and a cap on series per family so no input can explode cardinality.
#pragma once

#include <prometheus/metric_family.h>

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pga::exporter {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Families {
public:
    explicit Families(std::size_t max_series_per_family = 2000) : cap_(max_series_per_family) {}

    // Adds one gauge sample to family `name` (created with help on first use).
    void gauge(const std::string& name, const std::string& help, double value, const Labels& labels = {});
    // Adds one counter sample (a value that only goes up).
    void counter(const std::string& name, const std::string& help, double value, const Labels& labels = {});
    // Returns the families built so far (in first-use order) and empties the builder.
    std::vector<prometheus::MetricFamily> take();

private:
    prometheus::ClientMetric* add(const std::string& name, const std::string& help, prometheus::MetricType type,
                                  const Labels& labels);
    std::size_t cap_;
    std::vector<prometheus::MetricFamily> families_;
    std::map<std::string, std::size_t> index_;
};

// Returns text reduced to [a-z0-9_] for use inside a metric name ("load1", "total_bytes").
std::string name_part(std::string_view text);

} // namespace pga::exporter

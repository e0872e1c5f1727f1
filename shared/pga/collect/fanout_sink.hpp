// A sink that hands every batch to several sinks (the backend spool and the Prometheus
// exporter), so the loop keeps talking to one BatchSink.
#pragma once

#include "pga/collect/batch.hpp"

#include <memory>
#include <vector>

namespace pga::collect {

class FanoutSink final : public BatchSink {
public:
    // Takes ownership of the sinks; null entries are skipped.
    explicit FanoutSink(std::vector<std::unique_ptr<BatchSink>> sinks);

    // Gives the batch to every sink, even when one throws; then rethrows the first failure.
    void accept(Batch batch) override;
    void push_due() override;
    // Shuts the sinks down in order, all within the same deadline.
    void shutdown(util::SteadyClock::time_point deadline) override;
    // Returns the sinks' status objects merged key by key (null when none has one).
    nlohmann::json status() const override;

private:
    std::vector<std::unique_ptr<BatchSink>> sinks_;
};

} // namespace pga::collect

// The Prometheus endpoint ([exporter] enabled): serves /metrics (prometheus-cpp's exposer, text
// format) and /health (JSON, 200 while batches keep coming, else 503) on `listen`, loopback by
// default, GET and HEAD only. It is a BatchSink: the loop hands it each batch (through a
// FanoutSink) and it serves the latest values; delivery series come from a status callback.
#pragma once

#include "pga/collect/batch.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace pga::exporter {

using StatusSource = std::function<nlohmann::json()>;

struct ExporterOptions {
    std::string listen = "127.0.0.1:9188"; // ADDRESS:PORT; port 0 picks a free one (tests)
    std::chrono::seconds interval{60};     // the collection interval: /health turns 503 after 3 missed
    StatusSource delivery;                 // DeliverySink::status(), may be empty
};

class ExporterSink final : public collect::BatchSink {
public:
    // Starts listening. Throws std::runtime_error naming the address when it cannot bind.
    explicit ExporterSink(ExporterOptions options);
    ~ExporterSink() override;
    ExporterSink(const ExporterSink&) = delete;
    ExporterSink& operator=(const ExporterSink&) = delete;

    // Records the batch's numbers; never throws for their content.
    void accept(collect::Batch batch) override;
    // Stops serving.
    void shutdown(util::SteadyClock::time_point deadline) override;
    // Returns {"exporter": {"listen", "port", "batches"}}.
    nlohmann::json status() const override;
    // Returns the port actually listened on.
    int port() const;
    // Returns the /metrics text as served (tests).
    std::string render() const;
    // Returns the /health answer: HTTP status and JSON body.
    std::pair<int, nlohmann::json> health() const;

    struct State; // defined in exporter.cpp (public so the HTTP callback can reach it)

private:
    std::shared_ptr<State> state_;
};

} // namespace pga::exporter

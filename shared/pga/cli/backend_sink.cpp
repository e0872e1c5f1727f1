// The cron loop's sinks: see backend_sink.hpp.
#include "pga/cli/backend_sink.hpp"

#include "pga/collect/fanout_sink.hpp"
#include "pga/deliver/curl_transport.hpp"
#include "pga/deliver/delivery_sink.hpp"
#include "pga/exporter/exporter.hpp"

#include <spdlog/spdlog.h>

namespace pga::cli {

namespace {

std::unique_ptr<exporter::ExporterSink> make_exporter(const config::Config& config, collect::BatchSink* delivery) {
    exporter::ExporterOptions options;
    options.listen = config.exporter.listen;
    options.interval = std::chrono::seconds(config.collector.interval_s);
    if (delivery != nullptr) {
        options.delivery = [delivery] { return delivery->status(); };
    }
    try {
        return std::make_unique<exporter::ExporterSink>(options);
    } catch (const std::exception& e) {
        spdlog::error("{}; continuing without the Prometheus endpoint", e.what());
        return nullptr;
    }
}

} // namespace

std::unique_ptr<collect::BatchSink> make_backend_sink(const config::Config& config) {
    return make_backend_sink(config, {});
}

std::unique_ptr<collect::BatchSink> make_backend_sink(const config::Config& config, deliver::ConfigApply on_config) {
    std::unique_ptr<collect::BatchSink> delivery;
    if (!config.backend.url.empty() || !config.exporter.enabled) {
        deliver::DeliveryOptions options;
        options.timing = deliver::timing_from_environment();
        options.on_config = std::move(on_config);
        delivery = std::make_unique<deliver::DeliverySink>(
            config, std::make_unique<deliver::CurlTransport>(deliver::curl_options(config)), std::move(options));
    }
    if (!config.exporter.enabled) {
        return delivery;
    }
    std::vector<std::unique_ptr<collect::BatchSink>> sinks;
    sinks.push_back(make_exporter(config, delivery.get())); // first: stops before the delivery it reads
    sinks.push_back(std::move(delivery));
    return std::make_unique<collect::FanoutSink>(std::move(sinks));
}

} // namespace pga::cli

// The sinks `pganalytics cron` hands its batches to: the durable spool and backend delivery, and
// the Prometheus exporter when [exporter] enabled, behind one FanoutSink.
#pragma once

#include "pga/collect/batch.hpp"
#include "pga/config/config.hpp"
#include "pga/deliver/config_pull.hpp"

#include <memory>

namespace pga::cli {

// Returns the backend sink (spool + sender thread) and, when enabled, the exporter, fanned out.
// Throws std::runtime_error when the spool cannot be opened, or when there is neither a backend
// url nor an exporter. An exporter that cannot listen is logged and left out.
std::unique_ptr<collect::BatchSink> make_backend_sink(const config::Config& config);

// As above; pulled configurations (validated, whole) are handed to on_config on the delivery
// thread: store them and apply at the next tick like SIGHUP.
std::unique_ptr<collect::BatchSink> make_backend_sink(const config::Config& config, deliver::ConfigApply on_config);

} // namespace pga::cli

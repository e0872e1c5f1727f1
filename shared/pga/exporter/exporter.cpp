// The Prometheus endpoint: see exporter.hpp. prometheus-cpp's Exposer serves /metrics from our
// Collectable; civetweb's begin_request callback answers /health and refuses methods other than
// GET and HEAD before prometheus-cpp sees the request.
#include "pga/exporter/exporter.hpp"

#include "pga/exporter/metrics_state.hpp"
#include "pga/exporter/self_metrics.hpp"
#include "pga/util/time.hpp"

#include <CivetServer.h>
#include <civetweb.h>
#include <map>
#include <mutex>
#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>

namespace pga::exporter {

namespace {

class Collectable final : public prometheus::Collectable {
public:
    Collectable(const MetricsState& state, StatusSource delivery) : state_(state), delivery_(std::move(delivery)) {}
    std::vector<prometheus::MetricFamily> Collect() const override {
        Families out;
        state_.families(out);
        if (delivery_) {
            delivery_families(delivery_(), out);
        }
        process_families(out);
        return out.take();
    }

private:
    const MetricsState& state_;
    StatusSource delivery_;
};

} // namespace

struct ExporterSink::State {
    ExporterOptions options;
    MetricsState metrics;
    std::shared_ptr<Collectable> collectable;
    std::unique_ptr<prometheus::Exposer> exposer;
    util::SteadyClock::time_point started = util::SteadyClock::now();
    int port = 0;
};

namespace {

// Maps listening ports to exporters for the civetweb callback, which gets no user pointer.
std::mutex g_registry_mutex;
std::map<int, std::weak_ptr<ExporterSink::State>>& registry() {
    static std::map<int, std::weak_ptr<ExporterSink::State>> map;
    return map;
}

void reply(mg_connection* conn, int status, const char* reason, const std::string& type, const std::string& body,
           bool head) {
    mg_printf(conn,
              "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nCache-Control: no-store\r\n"
              "%sConnection: close\r\n\r\n",
              status, reason, type.c_str(), body.size(), status == 405 ? "Allow: GET, HEAD\r\n" : "");
    if (!head) {
        mg_write(conn, body.data(), body.size());
    }
}

std::pair<int, nlohmann::json> health_of(const ExporterSink::State& s);

int begin_request(mg_connection* conn) {
    const auto* info = mg_get_request_info(conn);
    const std::string method = info->request_method != nullptr ? info->request_method : "";
    const std::string uri = info->local_uri != nullptr ? info->local_uri : "";
    const bool head = method == "HEAD";
    if (method != "GET" && !head) {
        reply(conn, 405, "Method Not Allowed", "text/plain", "only GET and HEAD are served\n", false);
        return 405;
    }
    if (uri == "/metrics") {
        return 0; // prometheus-cpp's handler
    }
    if (uri != "/health") {
        reply(conn, 404, "Not Found", "text/plain", "see /metrics and /health\n", head);
        return 404;
    }
    std::shared_ptr<ExporterSink::State> state;
    {
        std::lock_guard lock(g_registry_mutex);
        const auto it = registry().find(info->server_port);
        state = it != registry().end() ? it->second.lock() : nullptr;
    }
    const auto [status, body] =
        state ? health_of(*state) : std::pair<int, nlohmann::json>{503, {{"status", "starting"}}};
    reply(conn, status, status == 200 ? "OK" : "Service Unavailable", "application/json", body.dump() + "\n", head);
    return status;
}

std::pair<int, nlohmann::json> health_of(const ExporterSink::State& s) {
    const auto now = util::SteadyClock::now();
    const auto last = s.metrics.last_batch().value_or(s.started);
    const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - last);
    const bool fresh = now - last <= 3 * s.options.interval;
    nlohmann::json body = {
        {"status", fresh ? "ok" : "stale"},
        {"batches", s.metrics.batches()},
        {"seconds_since_last_batch", s.metrics.last_batch() ? nlohmann::json(age.count()) : nullptr}};
    if (s.options.delivery) {
        const auto d = s.options.delivery();
        if (d.is_object() && d.contains("auth")) {
            body["backend_auth"] = d["auth"].value("state", "");
        }
    }
    return {fresh ? 200 : 503, body};
}

} // namespace

ExporterSink::ExporterSink(ExporterOptions options) : state_(std::make_shared<State>()) {
    state_->options = std::move(options);
    state_->collectable = std::make_shared<Collectable>(state_->metrics, state_->options.delivery);
    static CivetCallbacks callbacks = [] {
        CivetCallbacks c;
        c.begin_request = begin_request;
        return c;
    }();
    try {
        state_->exposer = std::make_unique<prometheus::Exposer>(
            std::vector<std::string>{"listening_ports", state_->options.listen, "num_threads", "2",
                                     "request_timeout_ms", "10000"},
            &callbacks);
    } catch (const std::exception& e) {
        throw std::runtime_error("exporter: cannot listen on " + state_->options.listen + ": " + e.what());
    }
    state_->exposer->RegisterCollectable(state_->collectable);
    const auto ports = state_->exposer->GetListeningPorts();
    state_->port = ports.empty() ? 0 : ports.front();
    {
        std::lock_guard lock(g_registry_mutex);
        registry()[state_->port] = state_;
    }
    spdlog::info("Prometheus exporter listening on {} (/metrics, /health)", state_->options.listen);
}

ExporterSink::~ExporterSink() {
    shutdown(util::SteadyClock::now());
}

void ExporterSink::accept(collect::Batch batch) {
    state_->metrics.observe(batch);
}

void ExporterSink::shutdown(util::SteadyClock::time_point) {
    if (!state_->exposer) {
        return;
    }
    state_->exposer.reset();
    std::lock_guard lock(g_registry_mutex);
    registry().erase(state_->port);
}

nlohmann::json ExporterSink::status() const {
    return {{"exporter",
             {{"listen", state_->options.listen}, {"port", state_->port}, {"batches", state_->metrics.batches()}}}};
}

int ExporterSink::port() const {
    return state_->port;
}

std::string ExporterSink::render() const {
    return prometheus::TextSerializer().Serialize(state_->collectable->Collect());
}

std::pair<int, nlohmann::json> ExporterSink::health() const {
    return health_of(*state_);
}

} // namespace pga::exporter

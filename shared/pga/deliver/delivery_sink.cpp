// The backend sink and its delivery thread: see delivery_sink.hpp.
#include "pga/deliver/delivery_sink.hpp"

#include "pga/deliver/auth.hpp"
#include "pga/deliver/client.hpp"
#include "pga/deliver/sender.hpp"
#include "pga/deliver/split.hpp"
#include "pga/deliver/spool.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <spdlog/spdlog.h>
#include <thread>

namespace pga::deliver {

namespace {

using SteadyTp = util::SteadyClock::time_point;

constexpr std::size_t k_envelope_reserve = 2048; // bytes kept free for the envelope's own fields

SpoolLimits limits_of(const config::Config& c) {
    return {static_cast<std::uint64_t>(c.spool.max_size_mib) << 20, std::chrono::seconds(c.spool.max_age_s)};
}

} // namespace

struct DeliverySink::State {
    config::Config config;
    DeliveryOptions options;
    std::unique_ptr<Transport> transport;
    std::size_t budget;
    Spool spool;
    BackendClient client;
    Auth auth;
    std::unique_ptr<Sender> sender;
    std::unique_ptr<ConfigPuller> puller;
    std::mutex mutex;
    std::condition_variable cv;
    bool closing = false; // shutdown() ran: one last drain until close_deadline, then exit
    SteadyTp close_deadline{};
    bool woken = false;
    std::atomic<std::int64_t> write_failures{0};
    std::thread thread;

    State(const config::Config& c, std::unique_ptr<Transport> t, DeliveryOptions o)
        : config(c), options(std::move(o)), transport(std::move(t)),
          budget(static_cast<std::size_t>(c.backend.max_request_kib) * 1024 - k_envelope_reserve),
          spool(std::filesystem::path(c.collector.state_dir) / "spool", limits_of(c), options.clocks.wall),
          client(c.backend.url, *transport), auth(c, client, options.timing, options.clocks) {
        Waiter wait = [this](SteadyTp until) { // pacing only: short waits
            std::unique_lock lock(mutex);
            if (closing && until > close_deadline) {
                return false;
            }
            cv.wait_until(lock, until, [this, until] { return closing && until > close_deadline; });
            return !(closing && until > close_deadline);
        };
        SenderOptions so{c.collector.hostname, c.backend.compression == "gzip"};
        sender = std::make_unique<Sender>(spool, client, auth, so, options.timing, options.clocks, wait);
        if (options.on_config) {
            puller = std::make_unique<ConfigPuller>(c, client, auth, options.timing, options.clocks, options.on_config);
        }
    }

    SteadyTp step() {
        SteadyTp wake = options.clocks.steady() + std::chrono::seconds(config.collector.push_interval_s);
        try {
            if (auto next = sender->drain()) {
                wake = std::min(wake, *next);
            }
            if (puller) {
                wake = std::min(wake, puller->poll());
            }
        } catch (const std::exception& e) {
            spdlog::error("delivery: {}", e.what());
            wake = std::min(wake, options.clocks.steady() + options.timing.backoff_cap);
        }
        return wake;
    }

    void run() {
        std::unique_lock lock(mutex);
        while (!closing) {
            lock.unlock();
            const auto wake = step();
            lock.lock();
            cv.wait_until(lock, wake, [this] { return closing || woken; });
            woken = false;
        }
        lock.unlock();
        try {
            sender->drain(); // what is due goes out before exit, bounded by the deadline
        } catch (const std::exception& e) {
            spdlog::error("delivery: {}", e.what());
        }
    }
};

DeliverySink::DeliverySink(const config::Config& config, std::unique_ptr<Transport> transport,
                           DeliveryOptions options) {
    if (config.backend.url.empty()) {
        throw std::runtime_error("[backend] url is not set: there is no backend to deliver to");
    }
    state_ = std::make_unique<State>(config, std::move(transport), std::move(options));
    if (!config.tls.verify && config.tls.verify_written) {
        spdlog::warn("TLS certificate verification of the backend is OFF ([tls] verify = false): anyone on the "
                     "path can read and alter the data and the token");
    }
    const auto s = state_->spool.stats();
    spdlog::info("delivering to {}: spool {} holds {} batches ({} bytes)", config.backend.url,
                 state_->spool.path().string(), s.batches, s.bytes);
    state_->thread = std::thread([this] { state_->run(); });
}

DeliverySink::~DeliverySink() {
    if (state_ && state_->thread.joinable()) {
        shutdown(util::SteadyClock::now() + std::chrono::seconds(5));
    }
}

void DeliverySink::accept(collect::Batch batch) {
    try {
        const SpoolItems items(batch, state_->budget);
        const auto dropped = state_->spool.put(items.size(), [&](std::size_t i) { return items.item(i); });
        if (dropped > 0) {
            spdlog::warn("spool is full ([spool] max_size_mib = {}): dropped the {} oldest batches",
                         state_->config.spool.max_size_mib, dropped);
        }
    } catch (const std::exception& e) {
        ++state_->write_failures;
        throw std::runtime_error(std::string("batch ") + batch.batch_id + " not spooled: " + e.what());
    }
}

void DeliverySink::push_due() {
    {
        std::lock_guard lock(state_->mutex);
        state_->woken = true;
    }
    state_->cv.notify_all();
}

void DeliverySink::shutdown(util::SteadyClock::time_point deadline) {
    state_->transport->abort_after(deadline);
    {
        std::lock_guard lock(state_->mutex);
        state_->closing = true;
        state_->close_deadline = deadline;
    }
    state_->cv.notify_all();
    if (state_->thread.joinable()) {
        state_->thread.join();
    }
}

nlohmann::json DeliverySink::status() const {
    auto s = state_->sender->status();
    s["backend_url"] = state_->config.backend.url;
    s["auth"] = state_->auth.status();
    try {
        const auto spool = state_->spool.stats();
        s["spool"] = {{"batches", spool.batches},
                      {"bytes", spool.bytes},
                      {"created", spool.created},
                      {"accepted", spool.accepted},
                      {"dropped", spool.dropped},
                      {"dropped_total", spool.dropped_total()},
                      {"files_set_aside", spool.files_set_aside},
                      {"write_failed", state_->write_failures.load()}};
        s["spool"]["oldest"] = spool.oldest_created_ms == 0
                                   ? nlohmann::json()
                                   : nlohmann::json(util::rfc3339_utc(util::SystemClock::time_point(
                                         std::chrono::milliseconds(spool.oldest_created_ms))));
    } catch (const std::exception& e) {
        s["spool"] = {{"error", e.what()}};
    }
    return s;
}

bool DeliverySink::wait_drained(std::chrono::milliseconds timeout) {
    const auto until = util::SteadyClock::now() + timeout;
    while (state_->spool.stats().batches > 0) {
        if (util::SteadyClock::now() >= until) {
            return false;
        }
        push_due();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

Timing timing_from_environment() {
    const char* value = std::getenv("PGA_TEST_TIME_DIVISOR");
    if (value == nullptr || *value == '\0') {
        return Timing{};
    }
    char* end = nullptr;
    const double divisor = std::strtod(value, &end);
    if (end == value || *end != '\0' || divisor < 1 || divisor > 1000) {
        spdlog::warn("PGA_TEST_TIME_DIVISOR={} ignored (must be a number from 1 to 1000)", value);
        return Timing{};
    }
    spdlog::warn("PGA_TEST_TIME_DIVISOR={}: delivery timing shortened for tests", value);
    return scaled_timing(divisor);
}

} // namespace pga::deliver

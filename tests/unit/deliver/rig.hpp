// A sender test rig: spool, fake backend, auth and sender on a manual clock. The waiter moves
// the clock instead of sleeping and records every wait.
#pragma once

#include "pga/deliver/auth.hpp"
#include "pga/deliver/sender.hpp"
#include "pga/deliver/spool.hpp"

#include "fakes.hpp"

#include <memory>

namespace pga::test {

struct SenderRig {
    TempDir dir;
    ManualClock clock;
    FakeTransport transport;
    config::Config config;
    deliver::Timing timing;
    std::unique_ptr<deliver::Spool> spool;
    std::unique_ptr<deliver::BackendClient> client;
    std::unique_ptr<deliver::Auth> auth;
    std::unique_ptr<deliver::Sender> sender;
    std::vector<util::SteadyClock::time_point> waits;
    std::function<deliver::HttpResponse(const deliver::HttpRequest&)> push_handler;
    int next_collector = 1;

    SenderRig() {
        config.collector.state_dir = dir.path().string();
        config.collector.hostname = "db-host";
        config.backend.url = "http://backend:8080/";
        transport.handler = [this](const deliver::HttpRequest& r) { return route(r); };
    }

    // Uses a static token (opaque unless a JWT is given) and [collector] id.
    void static_token(const std::string& token = "static-token", const std::string& id = "static-id") {
        config.backend.token = util::Secret(token, "test");
        config.collector.id = id;
    }

    // Stores a registered identity whose token was issued at `iat` and lives `life_s`.
    void stored_identity(const std::string& id, std::int64_t iat, std::int64_t life_s) {
        deliver::Registration r;
        r.collector_id = id;
        r.token = util::Secret(make_jwt(id, iat, iat + life_s), "test");
        deliver::IdentityStore(config.collector.state_dir).save(r, config.backend.url);
    }

    void start() {
        spool = std::make_unique<deliver::Spool>(dir.path() / "spool", deliver::SpoolLimits{},
                                                 [this] { return clock.wall; });
        client = std::make_unique<deliver::BackendClient>(config.backend.url, transport);
        auth = std::make_unique<deliver::Auth>(config, *client, timing, clock.clocks());
        sender = std::make_unique<deliver::Sender>(
            *spool, *client, *auth, deliver::SenderOptions{"db-host", false}, timing, clock.clocks(),
            [this](util::SteadyClock::time_point t) {
                waits.push_back(t);
                if (t > clock.steady) {
                    clock.advance(std::chrono::duration_cast<std::chrono::milliseconds>(t - clock.steady));
                }
                return true;
            });
    }

    void put(const std::string& id) {
        deliver::SpoolItem i;
        i.batch_id = id;
        i.created_ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock.wall.time_since_epoch()).count();
        i.metrics_count = 1;
        i.body = R"([{"type":"sysstat"}])";
        spool->put({i});
        clock.advance(std::chrono::milliseconds(1));
    }

    // Drains until nothing is due or `rounds` drains ran, moving the clock to each retry time.
    void drain_all(int rounds = 50) {
        for (int i = 0; i < rounds; ++i) {
            const auto next = sender->drain();
            if (!next) {
                return;
            }
            if (*next > clock.steady) {
                clock.advance(std::chrono::duration_cast<std::chrono::milliseconds>(*next - clock.steady));
            }
        }
    }

    // Returns the batch ids of the pushes in order.
    std::vector<std::string> pushed_ids() const {
        std::vector<std::string> ids;
        for (const auto& r : transport.to("/api/v1/metrics/push")) {
            ids.push_back(nlohmann::json::parse(r.body)["batch_id"]);
        }
        return ids;
    }

    deliver::HttpResponse route(const deliver::HttpRequest& r) {
        if (r.url.find("/collectors/register") != std::string::npos) {
            const auto id = "new-" + std::to_string(next_collector++);
            return json_response(200, {{"collector_id", id},
                                       {"token", make_jwt(id, clock.wall_s(), clock.wall_s() + 1800)},
                                       {"certificate", "CERT"},
                                       {"private_key", "KEY"},
                                       {"expires_at", "x"}});
        }
        if (r.url.find("/refresh-token") != std::string::npos) {
            const auto claims = deliver::decode_jwt(r.headers.back().second.substr(7));
            return json_response(200,
                                 {{"token", make_jwt(claims->collector_id, clock.wall_s(), clock.wall_s() + 1800)}});
        }
        return push_handler ? push_handler(r) : json_response(200, {{"status", "success"}});
    }
};

} // namespace pga::test

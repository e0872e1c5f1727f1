// Support for the metric catalog integration tests: see catalog_support.hpp.
#include "catalog_support.hpp"

#include "json_schema.hpp"
#include "pga/deliver/envelope.hpp"
#include "pga/deliver/split.hpp"
#include "pga/util/files.hpp"
#include "pga/util/uuid.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>

namespace pga::test {

pg::ConnParams monitor_params(const PgServer& server, const std::string& db) {
    pg::ConnParams p;
    p.host = "127.0.0.1";
    p.port = std::to_string(server.port());
    p.user = "pga_monitor";
    p.password = util::Secret(server.monitor_password(), "test");
    p.dbname = db;
    p.sslmode = "disable";
    p.application_name = "pganalytics-test";
    return p;
}

pg::ConnParams conn_params(const ConninfoParams& params) {
    pg::ConnParams p;
    for (const auto& [k, v] : params) {
        if (k == "host")
            p.host = v;
        if (k == "port")
            p.port = v;
        if (k == "user")
            p.user = v;
        if (k == "password")
            p.password = util::Secret(v, "test");
        if (k == "dbname")
            p.dbname = v;
    }
    p.sslmode = "disable";
    p.application_name = "pganalytics-test";
    return p;
}

config::Config monitor_config(const PgServer& server, const std::string& state_dir) {
    config::Config c;
    c.postgresql.host = "127.0.0.1";
    c.postgresql.port = server.port();
    c.postgresql.user = "pga_monitor";
    c.postgresql.database = "postgres";
    c.collector.state_dir = state_dir;
    return c;
}

std::vector<nlohmann::json> CollectorRun::ok() const {
    std::vector<nlohmann::json> r;
    for (const auto& m : metrics) {
        if (m["status"] == "ok") {
            r.push_back(m);
        }
    }
    return r;
}

namespace {

void shape(std::string_view type, const std::string& timestamp, CollectorRun& run) {
    auto objects = run.out.metrics;
    for (const auto& text : run.out.texts) {
        objects.push_back(nlohmann::json::parse(text));
    }
    for (auto m : objects) {
        m.emplace("type", type);
        m.emplace("timestamp", timestamp);
        m.emplace("status", "ok");
        run.metrics.push_back(std::move(m));
    }
    if (!run.out.unavailable.empty()) {
        run.metrics.push_back(
            {{"type", type}, {"timestamp", timestamp}, {"status", "unavailable"}, {"reason", run.out.unavailable}});
    }
    for (const auto& e : run.out.errors) {
        nlohmann::json o = {{"type", type}, {"timestamp", timestamp}, {"status", "error"}, {"error", e.message}};
        if (!e.database.empty()) {
            o["database"] = e.database;
        }
        run.metrics.push_back(std::move(o));
    }
}

} // namespace

CollectorRun run_collector(std::string_view type, collect::Collector& collector, const PgServer& server,
                           const config::Config& config, const std::vector<std::string>& databases) {
    const auto version = std::stoi(server.query_value("SHOW server_version_num"));
    return run_collector(type, collector, monitor_params(server), version, config, databases);
}

CollectorRun run_collector(std::string_view type, collect::Collector& collector, const pg::ConnParams& base,
                           int version, const config::Config& config, const std::vector<std::string>& databases) {
    pg::PoolOptions options;
    options.min_size = 0;
    options.max_size = 4;
    pg::Pool pool(base, options);
    const auto now = util::SystemClock::now();
    const auto deadline = util::SteadyClock::now() + std::chrono::seconds(60);
    CollectorRun run;
    const auto once = [&](const std::vector<std::string>& dbs) {
        collect::Context ctx{config, pool, dbs, version, now, deadline, nullptr};
        try {
            collector.collect(ctx, run.out);
        } catch (const std::exception& e) {
            run.out.errors.push_back({"", e.what()});
        }
    };
    if (collector.per_database()) {
        for (const auto& db : databases) {
            once({db});
        }
    } else {
        once(databases);
    }
    shape(type, util::rfc3339_utc(now), run);
    return run;
}

std::vector<std::string> payload_errors(const nlohmann::json& body) {
    static const auto schema = nlohmann::json::parse(util::read_file(PGA_SOURCE_DIR "/docs/payload.schema.json"));
    return validate_json(schema, body);
}

std::vector<std::string> batch_errors(const std::vector<nlohmann::json>& metrics) {
    return batch_errors(collect::to_metrics(metrics));
}

std::vector<std::string> batch_errors(const std::vector<collect::Metric>& metrics) {
    // The body delivery pushes: the batch cut into spool items as the delivery sink cuts it, each
    // wrapped by the one envelope builder.
    const collect::Batch batch{util::uuid_v4(), 1, util::SystemClock::now(), metrics};
    const auto budget = static_cast<std::size_t>(config::Config{}.backend.max_request_kib) * 1024 - 2048;
    std::vector<std::string> errors;
    for (const auto& item : deliver::to_spool_items(batch, budget)) {
        deliver::SpoolEntry entry;
        static_cast<deliver::SpoolItem&>(entry) = item;
        const auto body = deliver::build_envelope({"00000000-0000-4000-8000-000000000000", "test", "test"}, entry);
        for (auto& e : payload_errors(nlohmann::json::parse(body))) {
            errors.push_back(item.batch_id + ": " + e);
        }
    }
    return errors;
}

RawSession::RawSession(const ConninfoParams& params) : conn_(connect(params)), pid_(PQbackendPID(conn_.get())) {}

void RawSession::exec(const std::string& sql) {
    send(sql);
    const auto err = finish();
    if (!err.empty()) {
        throw std::runtime_error(sql + ": " + err);
    }
}

void RawSession::send(const std::string& sql) {
    if (PQsendQuery(conn_.get(), sql.c_str()) != 1) {
        throw std::runtime_error(sql + ": " + PQerrorMessage(conn_.get()));
    }
}

std::string RawSession::finish() {
    std::string err;
    while (PGresult* r = PQgetResult(conn_.get())) {
        const auto st = PQresultStatus(r);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && err.empty()) {
            err = PQresultErrorMessage(r);
        }
        PQclear(r);
    }
    return err;
}

bool wait_for(const std::function<bool()>& cond, int timeout_ms) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!cond()) {
        if (std::chrono::steady_clock::now() >= end) {
            return cond();
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return true;
}

} // namespace pga::test

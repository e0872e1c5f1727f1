// pg_replication on a real streaming standby: a primary from the harness is stopped cleanly, its
// data directory copied into a standby (standby.signal, primary_conninfo), both started. Replay is
// paused on the standby and WAL written on the primary, so the lag is known: the primary must show
// the standby with at least that replay lag, a slot retaining it, and the standby its receiver.
#include "catalog_support.hpp"
#include "pga/collectors/factories.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace pga::test;

namespace {

constexpr std::int64_t k_lag_bytes = 3'000'000;

void sh(const std::string& cmd) {
    if (std::system(cmd.c_str()) != 0) {
        throw std::runtime_error("command failed: " + cmd);
    }
}

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

std::string as_pg(const std::string& cmd) {
    return ::geteuid() == 0 ? "cd / && runuser -u postgres -- " + cmd : cmd;
}

// A streaming standby of primary, stopped and deleted when destroyed.
class Standby {
public:
    explicit Standby(PgServer& primary) : primary_(primary), port_(free_port()) {
        char tmpl[] = "/tmp/pga-standby-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
        const auto pg_ctl = primary.bin_dir() + "/pg_ctl";
        sh(as_pg(pg_ctl + " -D " + primary.data_dir() + " -m fast -w -s stop"));
        sh("cp -a " + primary.data_dir() + " " + dir_ + "/data && mkdir -p " + dir_ + "/log && touch " + dir_ +
           "/data/standby.signal");
        std::ofstream conf(dir_ + "/data/pgcluster.conf", std::ios::app);
        conf << "unix_socket_directories = '" << dir_ << "'\nlog_directory = '" << dir_
             << "/log'\nhot_standby = on\nprimary_conninfo = 'host=127.0.0.1 port=" << primary.port()
             << " user=postgres password=" << primary.superuser_password() << " application_name=pga_standby'\n";
        conf.close();
        if (::geteuid() == 0) {
            sh("chown -R postgres " + dir_);
        }
        sh(as_pg(pg_ctl + " -D " + primary.data_dir() + " -l " + primary.dir() + "/pg_ctl.log -w -t 60 -s start"));
        // The port was free when picked; another process may take it before the standby binds it,
        // so a failed start is retried on a newly picked port (the last port line wins).
        for (int attempt = 1;; ++attempt) {
            std::ofstream(dir_ + "/data/pgcluster.conf", std::ios::app) << "port = " << port_ << "\n";
            try {
                sh(as_pg(pg_ctl + " -D " + dir_ + "/data -l " + dir_ + "/pg_ctl.log -w -t 60 -s start"));
                return;
            } catch (const std::runtime_error&) {
                if (attempt == 3) {
                    throw;
                }
                port_ = free_port();
            }
        }
    }
    ~Standby() {
        std::system(as_pg(primary_.bin_dir() + "/pg_ctl -D " + dir_ + "/data -m immediate -w -s stop").c_str());
        std::filesystem::remove_all(dir_);
    }
    // Superuser over the standby's socket.
    ConninfoParams superuser(const std::string& db = "postgres") const {
        return {{"host", dir_}, {"port", std::to_string(port_)}, {"user", "postgres"}, {"dbname", db}};
    }
    // pga_monitor over TCP.
    pga::pg::ConnParams monitor() const {
        auto p = monitor_params(primary_);
        p.port = std::to_string(port_);
        return p;
    }

private:
    PgServer& primary_;
    int port_;
    std::string dir_;
};

nlohmann::json only(const CollectorRun& run) {
    const auto ok = run.ok();
    EXPECT_EQ(ok.size(), 1u) << nlohmann::json(run.metrics).dump(2);
    return ok.empty() ? nlohmann::json::object() : ok[0];
}

} // namespace

TEST(CatalogReplication, paused_standby_shows_known_lag_on_both_sides) {
    PGA_REQUIRE_PG();
    PgServer primary(pg().version_major());
    Standby standby(primary);
    ASSERT_TRUE(wait_for(
        [&] {
            return primary.query_value("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") == "1";
        },
        30000));
    primary.exec_sql("SELECT pg_create_physical_replication_slot('pga_slot', true)");
    exec_sql(standby.superuser(), "SELECT pg_wal_replay_pause()");
    primary.exec_sql("CREATE TABLE lag_t AS SELECT g, repeat('x', 200) AS pad FROM generate_series(1, 30000) g");
    const auto lsn = primary.query_value("SELECT pg_current_wal_lsn()");
    ASSERT_TRUE(wait_for(
        [&] {
            return primary.query_value("SELECT flush_lsn >= '" + lsn + "'::pg_lsn FROM pg_stat_replication") == "t";
        },
        30000));

    auto collector = pga::collectors::make_replication();
    const auto config = monitor_config(primary);
    const auto version = std::stoi(primary.query_value("SHOW server_version_num"));
    // The flush lag is measured against the primary's WAL at the time of the run: WAL written
    // since the wait above (autovacuum on lag_t) is briefly unflushed, so runs repeat until it is
    // (the standby receives and flushes while its replay is paused).
    nlohmann::json p;
    ASSERT_TRUE(wait_for(
        [&] {
            p = only(run_collector("pg_replication", *collector, monitor_params(primary), version, config));
            const auto& lag = p["standbys"].size() == 1 ? p["standbys"][0]["flush_lag_bytes"] : nlohmann::json();
            return lag.is_number_integer() && lag.get<std::int64_t>() < k_lag_bytes;
        },
        30000))
        << p.dump(2);
    EXPECT_EQ(p["role"], "primary");
    ASSERT_EQ(p["standbys"].size(), 1u) << p.dump(2);
    const auto& s = p["standbys"][0];
    EXPECT_EQ(s["application_name"], "pga_standby");
    EXPECT_EQ(s["state"], "streaming");
    EXPECT_GE(s["replay_lag_bytes"].get<std::int64_t>(), k_lag_bytes);
    EXPECT_LT(s["flush_lag_bytes"].get<std::int64_t>(), k_lag_bytes);
    ASSERT_EQ(p["slots"].size(), 1u);
    EXPECT_EQ(p["slots"][0]["slot_name"], "pga_slot");
    EXPECT_GE(p["slots"][0]["retained_bytes"].get<std::int64_t>(), k_lag_bytes);
    bool saw_postgres = false;
    for (const auto& w : p["wraparound"]) {
        if (w["database"] == "postgres") {
            saw_postgres = true;
            EXPECT_EQ(w["freeze_max_age"], 200000000);
            EXPECT_GT(w["xid_age"].get<std::int64_t>(), 0);
        }
    }
    EXPECT_TRUE(saw_postgres);

    const auto sb = only(run_collector("pg_replication", *collector, standby.monitor(), version, config));
    EXPECT_EQ(sb["role"], "standby");
    EXPECT_TRUE(sb["standbys"].empty());
    EXPECT_EQ(sb["wal_receiver"]["status"], "streaming");
    EXPECT_EQ(sb["wal_receiver"]["replay_paused"], true);
    EXPECT_GE(sb["wal_receiver"]["replay_gap_bytes"].get<std::int64_t>(), k_lag_bytes);
    EXPECT_EQ(batch_errors(std::vector<nlohmann::json>{p, sb}), std::vector<std::string>{});
    exec_sql(standby.superuser(), "SELECT pg_wal_replay_resume()");
}

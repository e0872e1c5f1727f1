// harness_selftest.cpp - checks the PostgreSQL test harness itself: the shared server runs the
// requested major, pga_monitor can read pg_stat_statements over TCP with its password without being
// superuser, errors carry the server message, and a private PgServer cleans up after itself.
#include "pg_server.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

// Lets this file run under gtest_main; a custom main calls register_pg_environment() itself.
const bool k_environment_registered = (pga::test::register_pg_environment(), true);

using pga::test::PgServer;

class HarnessSelftest : public pga::test::PgTest {};

TEST_F(HarnessSelftest, server_runs_the_requested_major) {
    const int expected = pga::test::requested_version_major();
    EXPECT_EQ(server().version_major(), expected);
    const std::string version = server().query_value("SELECT version()");
    EXPECT_EQ(version.rfind("PostgreSQL " + std::to_string(expected) + ".", 0), 0u) << version;
    EXPECT_EQ(std::stoi(server().query_value("SHOW server_version_num")) / 10000, expected);
}

TEST_F(HarnessSelftest, monitor_reads_pg_stat_statements_over_tcp_with_password) {
    server().exec_sql("SELECT 4242 AS pga_harness_selftest_marker");
    const auto monitor = server().monitor_conninfo_params();
    EXPECT_EQ(pga::test::query_value(monitor, "SELECT current_user"), "pga_monitor");
    EXPECT_EQ(pga::test::query_value(monitor, "SELECT inet_server_addr()::text"), "127.0.0.1/32");
    EXPECT_EQ(pga::test::query_value(monitor, "SELECT count(*) FROM pg_stat_statements "
                                              "WHERE query LIKE '%pga_harness_selftest_marker%'"),
              "1");
    EXPECT_EQ(server().query_value("SHOW shared_preload_libraries"), "pg_stat_statements");
    EXPECT_EQ(
        server().query_value("SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'", "template1"),
        "1");
}

TEST_F(HarnessSelftest, monitor_is_not_superuser_but_member_of_pg_monitor) {
    const auto monitor = server().monitor_conninfo_params();
    EXPECT_EQ(pga::test::query_value(monitor, "SHOW is_superuser"), "off");
    EXPECT_EQ(server().query_value("SELECT rolsuper::text FROM pg_roles WHERE rolname = 'pga_monitor'"), "false");
    EXPECT_EQ(server().query_value("SELECT pg_has_role('pga_monitor', 'pg_monitor', 'MEMBER')::text"), "true");
}

TEST_F(HarnessSelftest, wrong_monitor_password_is_rejected) {
    auto monitor = server().monitor_conninfo_params();
    for (auto& [key, value] : monitor) {
        if (key == "password")
            value = "not-the-password";
    }
    try {
        pga::test::query_value(monitor, "SELECT 1");
        FAIL() << "connection with a wrong password succeeded";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("password authentication failed"), std::string::npos) << e.what();
    }
}

TEST_F(HarnessSelftest, exec_sql_failure_carries_the_server_message) {
    try {
        server().exec_sql("SELECT * FROM pga_no_such_table");
        FAIL() << "exec_sql did not throw";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("relation \"pga_no_such_table\" does not exist"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(server().query_value("SELECT NULL"), std::runtime_error);
    EXPECT_THROW(server().query_value("SELECT 1 WHERE false"), std::runtime_error);
}

TEST_F(HarnessSelftest, private_server_applies_extra_conf_and_removes_its_directory) {
    std::string dir;
    int postmaster_pid = 0;
    {
        PgServer own(server().version_major(), {"work_mem=12MB", "application_name=pga selftest"});
        dir = own.dir();
        EXPECT_NE(own.port(), server().port());
        EXPECT_EQ(own.query_value("SHOW work_mem"), "12MB");
        EXPECT_EQ(own.query_value("SHOW wal_level"), "replica");
        EXPECT_EQ(own.query_value("SHOW logging_collector"), "on");
        EXPECT_EQ(own.query_value("SHOW log_directory"), own.log_dir());
        EXPECT_TRUE(std::filesystem::is_directory(own.log_dir()));
        std::ifstream pid_file(own.data_dir() + "/postmaster.pid");
        pid_file >> postmaster_pid;
        ASSERT_GT(postmaster_pid, 0);
    }
    EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
    const bool running =
        ::kill(postmaster_pid, 0) == 0 && std::filesystem::exists("/proc/" + std::to_string(postmaster_pid) + "/cwd");
    EXPECT_FALSE(running) << "postmaster " << postmaster_pid << " still running";
}

TEST(HarnessSelftestUnavailable, unknown_major_throws_pg_unavailable) {
    try {
        PgServer server(99);
        FAIL() << "PgServer(99) started";
    } catch (const pga::test::PgUnavailable& e) {
        EXPECT_EQ(std::string(e.what()).rfind("skipped: PostgreSQL 99 binaries unavailable: ", 0), 0u) << e.what();
    }
}

} // namespace

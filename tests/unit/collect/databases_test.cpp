// Unit tests of the monitored database list: configured names, discovery and its interval.
#include "../collectors/fake_session.hpp"
#include "pga/collect/databases.hpp"

#include <gtest/gtest.h>

using namespace pga;
using namespace std::chrono_literals;

TEST(DatabaseList, configured_databases_are_used_as_they_are_and_never_discovered) {
    config::Config c;
    c.postgresql.databases = {"a", "b c"};
    collect::DatabaseList list;
    EXPECT_FALSE(list.discovery_due(c, util::SteadyClock::now()));
    EXPECT_EQ(list.current(c), (std::vector<std::string>{"a", "b c"}));
}

TEST(DatabaseList, empty_databases_means_discovery_every_interval) {
    config::Config c;
    c.postgresql.database_discovery_interval_s = 300;
    collect::DatabaseList list;
    const auto t0 = util::SteadyClock::now();
    EXPECT_EQ(list.current(c), std::vector<std::string>{"postgres"}); // before any discovery
    ASSERT_TRUE(list.discovery_due(c, t0));
    test::FakeSession s;
    s.on("datallowconn AND NOT datistemplate", pg::Result({"datname"}, {{"app"}, {"postgres"}}));
    list.discovered(collect::list_databases(s), t0);
    EXPECT_EQ(list.current(c), (std::vector<std::string>{"app", "postgres"}));
    EXPECT_FALSE(list.discovery_due(c, t0 + 299s));
    EXPECT_TRUE(list.discovery_due(c, t0 + 300s));
}

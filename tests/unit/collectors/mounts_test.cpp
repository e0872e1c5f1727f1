// Unit tests of mount table parsing, real-filesystem selection and disk_usage's PostgreSQL part.
#include "fake_session.hpp"
#include "pga/collectors/disk_usage.hpp"
#include "pga/collectors/mounts.hpp"

#include <gtest/gtest.h>

using namespace pga;
using namespace pga::collectors;

namespace {

const char* const k_mountinfo = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
                                "23 22 0:21 / /proc rw,nosuid - proc proc rw\n"
                                "24 22 0:5 / /dev rw - devtmpfs udev rw\n"
                                "25 22 0:22 / /run rw - tmpfs tmpfs rw\n"
                                "26 22 8:2 / /var/lib/postgresql rw - xfs /dev/sda2 rw\n"
                                "27 22 8:2 /docker /srv/bind\\040mount rw - xfs /dev/sda2 rw\n"
                                "28 22 8:3 / /mnt/my\\040disk rw master:3 - ext4 /dev/sda3 rw\n"
                                "29 22 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";

StatFs fake_statfs() {
    return [](const std::string& path, std::string* error) -> std::optional<FsUsage> {
        if (path.find("denied") != std::string::npos) {
            *error = "Permission denied";
            return std::nullopt;
        }
        return FsUsage{1000, 400, 300, 10, 5};
    };
}

} // namespace

TEST(Mounts, parses_mountinfo_with_escaped_spaces) {
    const auto m = parse_mountinfo(k_mountinfo);
    ASSERT_EQ(m.size(), 8u);
    EXPECT_EQ(m[0].mount_point, "/");
    EXPECT_EQ(m[0].source, "/dev/sda1");
    EXPECT_EQ(m[0].fstype, "ext4");
    EXPECT_EQ(m[6].mount_point, "/mnt/my disk");
}

TEST(Mounts, real_filesystems_skip_pseudo_ones_and_bind_mounts) {
    const auto real = real_filesystems(parse_mountinfo(k_mountinfo));
    ASSERT_EQ(real.size(), 3u);
    EXPECT_EQ(real[0].mount_point, "/");
    EXPECT_EQ(real[1].mount_point, "/var/lib/postgresql");
    EXPECT_EQ(real[2].mount_point, "/mnt/my disk");
}

TEST(Mounts, mount_of_picks_the_longest_prefix_on_a_path_boundary) {
    const auto m = parse_mountinfo(k_mountinfo);
    EXPECT_EQ(mount_of(m, "/var/lib/postgresql/15/main")->mount_point, "/var/lib/postgresql");
    EXPECT_EQ(mount_of(m, "/var/lib/postgresqlx")->mount_point, "/");
}

TEST(DiskUsage, local_server_reports_data_and_wal_directories_and_database_sizes) {
    test::FakeSession s;
    s.on("name = 'data_directory'", pg::Result({"setting"}, {{"/var/lib/postgresql/15/main"}}));
    s.on("pg_ls_waldir", pg::Result({"sum"}, {{"16777216"}}));
    s.on("pg_database_size",
         pg::Result({"datname", "size_bytes"}, {{"app", "9000"}, {"other", "1"}, {"x=y z", std::nullopt}}));
    nlohmann::json o;
    std::vector<collect::RunError> errors;
    read_postgres_disk(s, {"app", "x=y z"}, true, parse_mountinfo(k_mountinfo), fake_statfs(), o, errors);
    EXPECT_TRUE(errors.empty());
    EXPECT_EQ(o["data_directory"]["mount_point"], "/var/lib/postgresql");
    EXPECT_EQ(o["data_directory"]["device"], "/dev/sda2");
    EXPECT_EQ(o["data_directory"]["used_bytes"], 600);
    EXPECT_EQ(o["wal_directory"]["path"], "/var/lib/postgresql/15/main/pg_wal");
    EXPECT_EQ(o["wal_bytes"], 16777216);
    ASSERT_EQ(o["databases"].size(), 2u);
    EXPECT_EQ(o["databases"][0]["size_bytes"], 9000);
    EXPECT_TRUE(o["databases"][1]["size_bytes"].is_null());
}

TEST(DiskUsage, remote_server_has_no_directories_and_hidden_settings_are_an_error) {
    test::FakeSession s;
    s.on("name = 'data_directory'", pg::Result({"setting"}, {}));
    s.on("pg_ls_waldir", pg::Result({"sum"}, {{"0"}}));
    s.on("pg_database_size", pg::Result({"datname", "size_bytes"}, {}));
    nlohmann::json o;
    std::vector<collect::RunError> errors;
    read_postgres_disk(s, {}, false, {}, fake_statfs(), o, errors);
    EXPECT_TRUE(o["data_directory"].is_null());
    EXPECT_EQ(o["server_local"], false);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].message.find("pg_monitor"), std::string::npos);
    EXPECT_TRUE(is_local_host("/var/run/postgresql"));
    EXPECT_TRUE(is_local_host(""));
    EXPECT_FALSE(is_local_host("db.example.com"));
}

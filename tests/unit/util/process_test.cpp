// util::proc_status_bytes: the /proc/<pid>/status reader shared by the collector's status,
// pga-healthcheck and pga-bench.
#include "pga/util/process.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <vector>

namespace pga::util {
namespace {

TEST(ProcStatusBytes, reads_this_process_in_bytes_by_pid_0_and_by_its_own_pid) {
    std::vector<char> touched(8 << 20, 1); // at least 8 MiB resident
    const auto rss = proc_status_bytes(0, "VmRSS");
    ASSERT_TRUE(rss.has_value());
    EXPECT_GE(*rss, 8u << 20);
    EXPECT_EQ(*rss % 1024, 0u);
    const auto peak = proc_status_bytes(static_cast<long>(::getpid()), "VmHWM");
    ASSERT_TRUE(peak.has_value());
    EXPECT_GE(*peak, *rss - (1u << 20));
    EXPECT_EQ(touched[touched.size() - 1], 1);
}

TEST(ProcStatusBytes, a_field_is_matched_whole_and_a_missing_one_or_process_is_nullopt) {
    EXPECT_FALSE(proc_status_bytes(0, "VmRS").has_value()); // a prefix of VmRSS is not VmRSS
    EXPECT_FALSE(proc_status_bytes(0, "NoSuchField").has_value());
    EXPECT_FALSE(proc_status_bytes(0, "Name").has_value());        // not a number
    EXPECT_FALSE(proc_status_bytes(4194305, "VmRSS").has_value()); // above pid_max's ceiling
}

} // namespace
} // namespace pga::util

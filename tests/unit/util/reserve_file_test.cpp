// util::ReserveFile: space taken ahead and handed back (the spool's room to drain on a full disk).
#include "pga/util/reserve_file.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace pga::util {
namespace {

std::filesystem::path temp_dir() {
    std::string templ = (std::filesystem::temp_directory_path() / "pga-reserve-XXXXXX").string();
    return ::mkdtemp(templ.data());
}

TEST(ReserveFile, hold_allocates_the_whole_size_once_and_release_gives_it_back) {
    const auto dir = temp_dir();
    ReserveFile reserve(dir / "r", 1 << 20);
    EXPECT_FALSE(reserve.held());
    EXPECT_FALSE(reserve.release()); // nothing held yet
    ASSERT_TRUE(reserve.hold());
    struct stat st {};
    ASSERT_EQ(::stat((dir / "r").c_str(), &st), 0);
    EXPECT_EQ(st.st_size, 1 << 20);
    EXPECT_GE(st.st_blocks * 512, 1 << 20); // really allocated, not sparse
    EXPECT_TRUE(reserve.hold());            // already held: no change
    EXPECT_TRUE(reserve.release());
    EXPECT_FALSE(std::filesystem::exists(dir / "r"));
    EXPECT_FALSE(reserve.held());
    EXPECT_FALSE(reserve.release());
    std::filesystem::remove_all(dir);
}

TEST(ReserveFile, an_unwritable_place_holds_nothing) {
    ReserveFile reserve("/proc/pga-no-such-dir/r", 4096);
    EXPECT_FALSE(reserve.hold());
    EXPECT_FALSE(reserve.held());
}

} // namespace
} // namespace pga::util

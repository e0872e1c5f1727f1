// Entry point of the integration suite: registers the shared throwaway PostgreSQL server
// (tests/harness) and runs every test against it. Exits 77 when the requested PostgreSQL version
// is not available, so a version-matrix run reports "skipped", never "passed".
#include "harness/pg_server.hpp"

#include <gtest/gtest.h>

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    pga::test::register_pg_environment();
    return pga::test::pg_exit_code(RUN_ALL_TESTS());
}

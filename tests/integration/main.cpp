// Entry point of the integration suite: registers the shared throwaway PostgreSQL server
// (tests/harness) and runs every test against it.
#include "harness/pg_server.hpp"

#include <gtest/gtest.h>

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    pga::test::register_pg_environment();
    return RUN_ALL_TESTS();
}

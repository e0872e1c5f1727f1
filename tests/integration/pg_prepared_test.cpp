// Integration tests of pg::Connection's prepared statements on the shared PostgreSQL: a statement is
// prepared the second time it runs and gives the same rows by name; one-off statements are not
// prepared and never crowd out the repeated ones; at most 64 are prepared; statement names the
// server lost (a transaction pooler, DEALLOCATE) fall back to unnamed statements outside a
// transaction and fail inside one; a statement whose result changed shape runs unnamed from then on.
#include "catalog_support.hpp"
#include "pga/pg/connection.hpp"

using namespace pga;

namespace {

constexpr const char* k_by_name = "SELECT oid::int8 AS oid, datname FROM pg_catalog.pg_database WHERE datname = $1";

class PreparedTest : public test::PgTest {
protected:
    // Returns the names the server holds for statements with this text on c's session.
    static std::vector<std::string> server_names(pg::Connection& c, const std::string& sql) {
        const auto r = c.query("SELECT name FROM pg_catalog.pg_prepared_statements WHERE statement = $1 ORDER BY name",
                               {sql});
        std::vector<std::string> names;
        for (int i = 0; i < r.rows(); ++i) {
            names.emplace_back(r.text(i, 0));
        }
        return names;
    }

    static std::int64_t prepared_on_server(pg::Connection& c) {
        return c.query("SELECT count(*) FROM pg_catalog.pg_prepared_statements").get_int(0, 0).value_or(-1);
    }

    static void expect_postgres_row(const pg::Result& r) {
        ASSERT_EQ(r.rows(), 1);
        EXPECT_EQ(r.text(0, r.column("datname")), "postgres");
        EXPECT_GT(r.get_int(0, r.column("oid")).value_or(0), 0);
    }
};

} // namespace

TEST_F(PreparedTest, a_statement_is_prepared_the_second_time_and_gives_the_same_rows_by_name) {
    pg::Connection c(test::monitor_params(server()));
    expect_postgres_row(c.query(k_by_name, {"postgres"}));
    EXPECT_EQ(c.prepared_statements(), 0);
    EXPECT_TRUE(server_names(c, k_by_name).empty());
    expect_postgres_row(c.query(k_by_name, {"postgres"}));
    EXPECT_EQ(c.prepared_statements(), 1);
    EXPECT_EQ(server_names(c, k_by_name), std::vector<std::string>{"pga_1"});
    for (int i = 0; i < 7; ++i) { // past the five custom plans, to the generic one
        expect_postgres_row(c.query(k_by_name, {"postgres"}));
    }
    EXPECT_EQ(c.query(k_by_name, {"no such database"}).rows(), 0); // other parameters, same statement
    EXPECT_EQ(c.prepared_statements(), 2); // this one and server_names' own query, run twice
}

TEST_F(PreparedTest, one_off_statements_are_not_prepared_and_do_not_crowd_out_repeated_ones) {
    pg::Connection c(test::monitor_params(server()));
    for (int i = 0; i < 300; ++i) {
        EXPECT_EQ(c.query("SELECT " + std::to_string(i) + "::int8").get_int(0, 0), i);
    }
    EXPECT_EQ(c.prepared_statements(), 0);
    expect_postgres_row(c.query(k_by_name, {"postgres"}));
    expect_postgres_row(c.query(k_by_name, {"postgres"}));
    EXPECT_EQ(c.prepared_statements(), 1);
    EXPECT_EQ(server_names(c, k_by_name).size(), 1u);
}

TEST_F(PreparedTest, at_most_64_statements_are_prepared_on_a_connection) {
    pg::Connection c(test::monitor_params(server()));
    for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 70; ++i) {
            const auto sql = "SELECT $1::int8 + " + std::to_string(i);
            EXPECT_EQ(c.query(sql, {"1000"}).get_int(0, 0), 1000 + i);
        }
    }
    EXPECT_EQ(c.prepared_statements(), 64);
    EXPECT_EQ(prepared_on_server(c), 64);
}

TEST_F(PreparedTest, names_the_server_lost_fall_back_to_unnamed_statements) {
    pg::Connection c(test::monitor_params(server()));
    c.query(k_by_name, {"postgres"});
    c.query(k_by_name, {"postgres"});
    ASSERT_EQ(c.prepared_statements(), 1);
    c.query("DEALLOCATE ALL"); // what a transaction pooler's other server session looks like to us
    expect_postgres_row(c.query(k_by_name, {"postgres"}));
    // From then on nothing is prepared on this connection.
    for (int i = 0; i < 3; ++i) {
        expect_postgres_row(c.query(k_by_name, {"postgres"}));
        EXPECT_EQ(c.query("SELECT 2::int8").get_int(0, 0), 2);
    }
    EXPECT_EQ(prepared_on_server(c), 0);
}

TEST_F(PreparedTest, a_lost_name_inside_a_transaction_is_an_error_not_a_silent_rerun) {
    pg::Connection c(test::monitor_params(server()));
    c.query(k_by_name, {"postgres"});
    c.query(k_by_name, {"postgres"});
    c.query("DEALLOCATE ALL");
    c.query("BEGIN");
    try {
        c.query(k_by_name, {"postgres"});
        FAIL() << "a statement whose name was lost inside a transaction ran";
    } catch (const pg::Error& e) {
        EXPECT_EQ(e.sqlstate(), "26000") << e.what();
    }
    c.query("ROLLBACK");
    expect_postgres_row(c.query(k_by_name, {"postgres"})); // unnamed from now on
    EXPECT_EQ(prepared_on_server(c), 0);
}

TEST_F(PreparedTest, a_statement_whose_result_changed_shape_runs_unnamed_from_then_on) {
    server().exec_sql("DROP TABLE IF EXISTS public.pga_prepared_shape; CREATE TABLE public.pga_prepared_shape (a int);"
                      " INSERT INTO public.pga_prepared_shape VALUES (1);"
                      " GRANT SELECT ON public.pga_prepared_shape TO pga_monitor");
    pg::Connection c(test::monitor_params(server()));
    const std::string sql = "SELECT * FROM public.pga_prepared_shape";
    EXPECT_EQ(c.query(sql).columns(), 1);
    EXPECT_EQ(c.query(sql).columns(), 1);
    ASSERT_EQ(c.prepared_statements(), 1);
    server().exec_sql("ALTER TABLE public.pga_prepared_shape ADD COLUMN b int DEFAULT 7");
    for (int i = 0; i < 2; ++i) {
        const auto r = c.query(sql);
        ASSERT_EQ(r.columns(), 2);
        EXPECT_EQ(r.get_int(0, r.column("b")), 7);
    }
    expect_postgres_row(c.query(k_by_name, {"postgres"})); // the others are still prepared
    expect_postgres_row(c.query(k_by_name, {"postgres"}));
    EXPECT_EQ(c.prepared_statements(), 2);
    server().exec_sql("DROP TABLE public.pga_prepared_shape");
}

// Integration tests of pg::Connection's prepared statements on the shared PostgreSQL: a query is
// prepared the second time it runs (under a name of its connection's own) and gives the same rows by
// name, reaching generic plans; transaction control is never prepared; one-off statements are not
// prepared and never crowd out the repeated ones; at most 64 are prepared; statement names the
// server lost or holds for someone else (a transaction pooler) fall back to unnamed statements
// outside a transaction and fail inside one; a statement whose result changed shape runs unnamed
// from then on, while a statement's own 0A000 failure is neither rerun nor demoted.
#include "catalog_support.hpp"
#include "pga/pg/connection.hpp"

using namespace pga;

namespace {

constexpr const char* k_by_name = "SELECT oid::int8 AS oid, datname FROM pg_catalog.pg_database WHERE datname = $1";

class PreparedTest : public test::PgTest {
protected:
    // Returns the names the server holds for statements with this text on c's session.
    static std::vector<std::string> server_names(pg::Connection& c, const std::string& sql) {
        const auto r =
            c.query("SELECT name FROM pg_catalog.pg_prepared_statements WHERE statement = $1 ORDER BY name", {sql});
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
    const auto names = server_names(c, k_by_name);
    ASSERT_EQ(names.size(), 1u);
    EXPECT_TRUE(names[0].starts_with("pga_") && names[0].ends_with("_1") && names[0].size() == 22) << names[0];
    for (int i = 0; i < 7; ++i) { // past the five custom plans, to the generic one
        expect_postgres_row(c.query(k_by_name, {"postgres"}));
    }
    EXPECT_EQ(c.query(k_by_name, {"no such database"}).rows(), 0); // other parameters, same statement
    EXPECT_EQ(c.prepared_statements(), 2);                         // this one and server_names' own query, run twice
    if (server().version_major() >= 14) {
        const auto generic = c.query("SELECT generic_plans FROM pg_catalog.pg_prepared_statements WHERE statement = $1",
                                     {std::string(k_by_name)});
        EXPECT_GT(generic.get_int(0, 0).value_or(0), 0);
    }
    // Another connection names its statements differently: a session a pooler shares never holds
    // someone else's statement under one of our names.
    pg::Connection other(test::monitor_params(server()));
    other.query(k_by_name, {"postgres"});
    other.query(k_by_name, {"postgres"});
    const auto other_names = server_names(other, k_by_name);
    ASSERT_EQ(other_names.size(), 1u);
    EXPECT_NE(other_names[0], names[0]);
}

TEST_F(PreparedTest, transaction_control_and_fetch_are_never_prepared) {
    pg::Connection c(test::monitor_params(server()));
    for (int i = 0; i < 3; ++i) {
        c.query("BEGIN");
        c.query("DECLARE pga_prepared_cursor NO SCROLL CURSOR FOR SELECT datname FROM pg_catalog.pg_database");
        EXPECT_GT(c.query("FETCH 10 FROM pga_prepared_cursor").rows(), 0);
        c.query("SAVEPOINT pga_prepared_savepoint");
        c.query("RELEASE SAVEPOINT pga_prepared_savepoint");
        c.query("COMMIT");
    }
    EXPECT_EQ(c.prepared_statements(), 1); // the DECLARE alone
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

TEST_F(PreparedTest, a_foreign_statement_under_a_name_is_never_run_for_ours) {
    pg::Connection c(test::monitor_params(server()));
    c.query(k_by_name, {"postgres"});
    c.query(k_by_name, {"postgres"});
    const auto ours = server_names(c, k_by_name).at(0);
    c.query("DEALLOCATE ALL");
    // What a shared pooler session could hold: other clients' statements under common names.
    c.query("PREPARE pga_1 (text) AS SELECT 1::int8 AS oid, 'x'::name AS datname");
    expect_postgres_row(c.query(k_by_name, {"postgres"})); // ours is gone: rerun unnamed, not pga_1
    EXPECT_NE(ours, "pga_1");
    // A name of ours taken on the session (42P05 when preparing): unnamed too, and no more preparing.
    pg::Connection d(test::monitor_params(server()));
    d.query(k_by_name, {"postgres"});
    d.query(k_by_name, {"postgres"});
    const auto first = server_names(d, k_by_name).at(0); // <prefix>1
    d.query("PREPARE " + first.substr(0, first.size() - 1) + "2 AS SELECT 'foreign'::text");
    const std::string next = "SELECT count(*)::int8 AS n FROM pg_catalog.pg_database WHERE datname = $1";
    for (int i = 0; i < 3; ++i) { // the second run would prepare it as <prefix>2
        EXPECT_EQ(d.query(next, {"postgres"}).get_int(0, 0), 1);
    }
    EXPECT_EQ(d.prepared_statements(), 1);
    EXPECT_TRUE(server_names(d, next).empty());
}

TEST_F(PreparedTest, a_statements_own_feature_not_supported_failure_is_not_rerun_or_demoted) {
    server().exec_sql("CREATE OR REPLACE FUNCTION public.pga_prepared_0a000(int) RETURNS int LANGUAGE plpgsql AS"
                      " $$BEGIN IF $1 = 1 THEN RAISE EXCEPTION 'not here' USING ERRCODE = 'feature_not_supported';"
                      " END IF; RETURN $1; END$$");
    pg::Connection c(test::monitor_params(server()));
    const std::string sql = "SELECT public.pga_prepared_0a000($1::int)::int8";
    EXPECT_EQ(c.query(sql, {"2"}).get_int(0, 0), 2);
    EXPECT_EQ(c.query(sql, {"2"}).get_int(0, 0), 2);
    ASSERT_EQ(c.prepared_statements(), 1);
    try {
        c.query(sql, {"1"});
        FAIL() << "the function's failure was swallowed";
    } catch (const pg::Error& e) {
        EXPECT_EQ(e.sqlstate(), "0A000") << e.what();
    }
    EXPECT_EQ(server_names(c, sql).size(), 1u); // still prepared: neither demoted nor deallocated
    EXPECT_EQ(c.query(sql, {"3"}).get_int(0, 0), 3);
    server().exec_sql("DROP FUNCTION public.pga_prepared_0a000(int)");
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
    EXPECT_TRUE(server_names(c, sql).empty());             // its old plan was given back
    expect_postgres_row(c.query(k_by_name, {"postgres"})); // the others are still prepared
    expect_postgres_row(c.query(k_by_name, {"postgres"}));
    EXPECT_EQ(c.prepared_statements(), 2);
    server().exec_sql("DROP TABLE public.pga_prepared_shape");
}

// A scripted pg::Session for collector unit tests: each query is answered by the first script entry
// whose key occurs in the SQL; a query no entry matches fails the test and throws.
#pragma once

#include "pga/pg/session.hpp"

#include <algorithm>
#include <gtest/gtest.h>
#include <string>
#include <utility>
#include <vector>

namespace pga::test {

class FakeSession final : public pg::Session {
public:
    explicit FakeSession(int version = 150000, std::string db = "postgres") : version_(version), db_(std::move(db)) {}
    // Answers SQL containing key with result.
    void on(std::string key, pg::Result result) { script_.emplace_back(std::move(key), std::move(result)); }
    // Answers SQL containing key with results one after the other, the last one again once all were given
    // (checked before the plain entries).
    void on_each(std::string key, std::vector<pg::Result> results) {
        sequences_.push_back({std::move(key), std::move(results), 0});
    }
    // Makes SQL containing key fail with message and sqlstate.
    void fail(std::string key, std::string message, std::string sqlstate = "") {
        failures_.push_back({std::move(key), std::move(message), std::move(sqlstate)});
    }
    pg::Result query(std::string_view sql, const pg::Params& params = {}) override {
        queries.emplace_back(sql);
        last_params = params;
        all_params.push_back(params);
        for (const auto& f : failures_) {
            if (sql.find(f.key) != std::string_view::npos) {
                throw pg::Error(f.message, f.sqlstate);
            }
        }
        for (auto& q : sequences_) {
            if (sql.find(q.key) != std::string_view::npos && !q.results.empty()) {
                const auto i = std::min(q.next++, q.results.size() - 1);
                return copy(q.results[i]);
            }
        }
        for (auto& [key, result] : script_) {
            if (sql.find(key) != std::string_view::npos) {
                return copy(result);
            }
        }
        ADD_FAILURE() << "unexpected query: " << sql;
        throw pg::Error("unexpected query");
    }
    int server_version() const override { return version_; }
    const std::string& database() const override { return db_; }

    std::vector<std::string> queries;
    pg::Params last_params;
    std::vector<pg::Params> all_params; // each query's, in order

private:
    static pg::Result copy(const pg::Result& r) {
        std::vector<std::string> columns;
        for (int c = 0; c < r.columns(); ++c) {
            columns.push_back(r.column_name(c));
        }
        std::vector<pg::Result::FakeRow> rows;
        for (int i = 0; i < r.rows(); ++i) {
            pg::Result::FakeRow row;
            for (int c = 0; c < r.columns(); ++c) {
                row.push_back(r.get(i, c));
            }
            rows.push_back(std::move(row));
        }
        return pg::Result(std::move(columns), std::move(rows));
    }
    struct Sequence {
        std::string key;
        std::vector<pg::Result> results;
        std::size_t next;
    };
    std::vector<Sequence> sequences_;
    struct Failure {
        std::string key, message, sqlstate;
    };
    int version_;
    std::string db_;
    std::vector<std::pair<std::string, pg::Result>> script_;
    std::vector<Failure> failures_;
};

} // namespace pga::test

// Unit tests of pga/deliver/spool: durability, bounds, counters and corruption handling.
#include "pga/deliver/spool.hpp"

#include "fakes.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <sqlite3.h>

using namespace pga::deliver;
using pga::test::ManualClock;
using pga::test::TempDir;

namespace {

SpoolItem item(const std::string& id, std::int64_t created_ms, std::size_t body_bytes = 10) {
    SpoolItem i;
    i.batch_id = id;
    i.sequence = 1;
    i.created_ms = created_ms;
    i.metrics_count = 1;
    i.body = "[" + std::string(body_bytes - 2, ' ') + "]";
    return i;
}

std::int64_t now_ms(const ManualClock& c) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(c.wall.time_since_epoch()).count();
}

void sql(const std::filesystem::path& db, const std::string& statement) {
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(h, statement.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(h);
}

} // namespace

TEST(Spool, entries_come_back_oldest_and_newest_and_leave_only_when_accepted) {
    TempDir dir;
    ManualClock clock;
    Spool spool(dir.path(), {}, [&] { return clock.wall; });
    spool.put({item("a", now_ms(clock))});
    spool.put({item("b", now_ms(clock) + 1)});
    EXPECT_EQ(spool.oldest()->batch_id, "a");
    EXPECT_EQ(spool.newest()->batch_id, "b");
    spool.accepted(spool.oldest()->id);
    EXPECT_EQ(spool.oldest()->batch_id, "b");
    const auto s = spool.stats();
    EXPECT_EQ(s.created, 2);
    EXPECT_EQ(s.accepted, 1);
    EXPECT_EQ(s.batches, 1);
    EXPECT_EQ(s.dropped_total(), 0);
}

TEST(Spool, items_made_one_at_a_time_are_stored_in_one_transaction_in_order) {
    TempDir dir;
    ManualClock clock;
    Spool spool(dir.path(), {}, [&] { return clock.wall; });
    std::vector<std::size_t> asked;
    spool.put(3, [&](std::size_t i) {
        asked.push_back(i);
        return item("p" + std::to_string(i + 1), now_ms(clock) + static_cast<std::int64_t>(i), 20 + i);
    });
    EXPECT_EQ(asked, (std::vector<std::size_t>{0, 1, 2}));
    EXPECT_EQ(spool.stats().created, 3);
    for (std::size_t i = 0; i < 3; ++i) {
        const auto e = spool.oldest();
        ASSERT_TRUE(e);
        EXPECT_EQ(e->batch_id, "p" + std::to_string(i + 1));
        EXPECT_EQ(e->body, item("", 0, 20 + i).body);
        spool.accepted(e->id);
    }
    // An item that cannot be made stores none of the batch.
    EXPECT_THROW(spool.put(2,
                           [&](std::size_t i) {
                               if (i == 1) {
                                   throw std::runtime_error("no item");
                               }
                               return item("q", now_ms(clock));
                           }),
                 std::runtime_error);
    EXPECT_FALSE(spool.oldest());
    EXPECT_EQ(spool.stats().created, 3);
}

TEST(Spool, overflow_drops_the_oldest_and_counts_them) {
    TempDir dir;
    ManualClock clock;
    Spool spool(dir.path(), {100, std::chrono::hours(1)}, [&] { return clock.wall; });
    for (int i = 0; i < 5; ++i) {
        spool.put({item("b" + std::to_string(i), now_ms(clock) + i, 40)});
    }
    const auto s = spool.stats();
    EXPECT_EQ(s.batches, 2);
    EXPECT_EQ(s.dropped.at("overflow"), 3);
    EXPECT_EQ(spool.oldest()->batch_id, "b3");
    EXPECT_EQ(s.created - s.accepted - s.dropped_total() - s.batches, 0);
}

TEST(Spool, entries_older_than_max_age_are_dropped_and_counted) {
    TempDir dir;
    ManualClock clock;
    Spool spool(dir.path(), {1 << 20, std::chrono::seconds(60)}, [&] { return clock.wall; });
    spool.put({item("old", now_ms(clock))});
    clock.advance(std::chrono::seconds(30));
    spool.put({item("new", now_ms(clock))});
    clock.advance(std::chrono::seconds(31));
    EXPECT_EQ(spool.expire(), 1u);
    EXPECT_EQ(spool.stats().dropped.at("age"), 1);
    EXPECT_EQ(spool.oldest()->batch_id, "new");
}

TEST(Spool, counters_and_entries_survive_reopening) {
    TempDir dir;
    ManualClock clock;
    {
        Spool spool(dir.path(), {}, [&] { return clock.wall; });
        spool.put({item("a", now_ms(clock)), item("b", now_ms(clock))});
        spool.accepted(spool.oldest()->id);
    }
    Spool again(dir.path(), {}, [&] { return clock.wall; });
    const auto s = again.stats();
    EXPECT_EQ(s.created, 2);
    EXPECT_EQ(s.accepted, 1);
    EXPECT_EQ(again.oldest()->batch_id, "b");
}

TEST(Spool, an_entry_failing_its_checksum_is_set_aside_and_counted) {
    TempDir dir;
    ManualClock clock;
    {
        Spool spool(dir.path(), {}, [&] { return clock.wall; });
        spool.put({item("bad", now_ms(clock)), item("good", now_ms(clock) + 1)});
    }
    sql(dir.path() / "spool.db", "UPDATE entries SET body = X'5B7B7D5D' WHERE batch_id = 'bad'");
    Spool spool(dir.path(), {}, [&] { return clock.wall; });
    EXPECT_EQ(spool.oldest()->batch_id, "good");
    const auto s = spool.stats();
    EXPECT_EQ(s.dropped.at("corrupt"), 1);
    EXPECT_EQ(s.batches, 1);
}

TEST(Spool, a_damaged_file_is_moved_aside_and_a_new_spool_starts) {
    TempDir dir;
    {
        std::ofstream out(dir.path() / "spool.db", std::ios::binary);
        out << std::string(8192, 'x');
    }
    Spool spool(dir.path(), {});
    spool.put({item("a", 1'800'000'000'000)});
    EXPECT_EQ(spool.stats().files_set_aside, 1);
    bool found_aside = false;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
        found_aside |= e.path().filename().string().rfind("spool.db.corrupt-", 0) == 0;
    }
    EXPECT_TRUE(found_aside);
}

TEST(Spool, set_aside_counts_by_reason_and_replace_counts_extra_parts) {
    TempDir dir;
    ManualClock clock;
    Spool spool(dir.path(), {}, [&] { return clock.wall; });
    spool.put({item("a", now_ms(clock)), item("b", now_ms(clock) + 1)});
    spool.set_aside(spool.oldest()->id, DropReason::rejected, "HTTP 400");
    spool.replace(spool.oldest()->id, {item("b-h1", now_ms(clock) + 1), item("b-h2", now_ms(clock) + 1)});
    const auto s = spool.stats();
    EXPECT_EQ(s.dropped.at("rejected"), 1);
    EXPECT_EQ(s.created, 3);
    EXPECT_EQ(s.batches, 2);
    EXPECT_EQ(s.created - s.accepted - s.dropped_total() - s.batches, 0);
}

TEST(Spool, database_file_is_private) {
    TempDir dir;
    Spool spool(dir.path(), {});
    const auto perms = std::filesystem::status(dir.path() / "spool.db").permissions();
    EXPECT_EQ(perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
              std::filesystem::perms::none);
}

TEST(Spool, a_row_is_verified_on_every_field_as_stored) {
    // Found by fuzz_spool_record: split_level is stored as 64 bits but was cut to an int before the
    // checksum, so a damaged row (level + 2^32) passed verification.
    SpoolItem written = item("b-1", 1000);
    written.split_level = 1;
    StoredEntry row;
    row.id = 7;
    row.batch_id = written.batch_id;
    row.sequence = static_cast<std::int64_t>(written.sequence);
    row.created_ms = written.created_ms;
    row.metrics_count = written.metrics_count;
    row.split_level = written.split_level;
    row.checksum = entry_checksum(written);
    row.body = written.body;
    const auto intact = decode_entry(row);
    ASSERT_TRUE(intact);
    EXPECT_EQ(intact->split_level, 1);
    EXPECT_EQ(intact->body, written.body);

    row.split_level = 1 + (std::int64_t{1} << 32);
    EXPECT_FALSE(decode_entry(row));
    row.split_level = 1;
    row.body += ' ';
    EXPECT_FALSE(decode_entry(row));
}

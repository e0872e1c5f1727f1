// pg_replication: see replication.hpp. Works unchanged on PostgreSQL 13-18 (the columns used exist
// since 13); pg_current_wal_lsn() is only called on a primary, where it is allowed.
#include "pga/collectors/replication.hpp"

#include "pga/collectors/factories.hpp"
#include "pga/collectors/session_collector.hpp"

namespace pga::collectors {

namespace {

const char* const k_role_sql = "SELECT pg_catalog.pg_is_in_recovery() AS in_recovery,"
                               " CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn()"
                               " ELSE pg_catalog.pg_current_wal_lsn() END::text AS current_lsn";

const std::string k_standbys_sql =
    "SELECT r.pid, r.usename, r.application_name, r.client_addr::text AS client_addr, r.state, r.sync_state,"
    " r.sent_lsn::text AS sent_lsn, r.write_lsn::text AS write_lsn, r.flush_lsn::text AS flush_lsn,"
    " r.replay_lsn::text AS replay_lsn,"
    " pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), r.sent_lsn)::int8 AS sent_lag_bytes,"
    " pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), r.flush_lsn)::int8 AS flush_lag_bytes,"
    " pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), r.replay_lsn)::int8 AS replay_lag_bytes,"
    " EXTRACT(EPOCH FROM r.write_lag)::float8 AS write_lag_s, EXTRACT(EPOCH FROM r.flush_lag)::float8 AS flush_lag_s,"
    " EXTRACT(EPOCH FROM r.replay_lag)::float8 AS replay_lag_s, " +
    rfc3339_sql("r.backend_start", "backend_start") + " FROM pg_catalog.pg_stat_replication r ORDER BY r.pid";

const char* const k_slots_sql =
    "SELECT s.slot_name, s.slot_type, s.plugin, s.database, s.active, s.active_pid, s.temporary,"
    " s.restart_lsn::text AS restart_lsn, s.confirmed_flush_lsn::text AS confirmed_flush_lsn, s.wal_status,"
    " s.safe_wal_size, pg_catalog.pg_wal_lsn_diff(CASE WHEN pg_catalog.pg_is_in_recovery()"
    " THEN pg_catalog.pg_last_wal_replay_lsn() ELSE pg_catalog.pg_current_wal_lsn() END, s.restart_lsn)::int8"
    " AS retained_bytes FROM pg_catalog.pg_replication_slots s ORDER BY s.slot_name";

const std::string k_receiver_sql =
    "SELECT w.pid, w.status, w.sender_host, w.sender_port, w.slot_name, w.received_tli,"
    " w.written_lsn::text AS written_lsn, w.flushed_lsn::text AS flushed_lsn,"
    " w.latest_end_lsn::text AS latest_end_lsn, " +
    rfc3339_sql("w.last_msg_receipt_time", "last_msg_receipt_time") +
    ", pg_catalog.pg_last_wal_receive_lsn()::text AS receive_lsn,"
    " pg_catalog.pg_last_wal_replay_lsn()::text AS replay_lsn,"
    " pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_last_wal_receive_lsn(), pg_catalog.pg_last_wal_replay_lsn())::int8"
    " AS replay_gap_bytes, EXTRACT(EPOCH FROM pg_catalog.now() - pg_catalog.pg_last_xact_replay_timestamp())::float8"
    " AS replay_delay_s, pg_catalog.pg_is_wal_replay_paused() AS replay_paused"
    " FROM (SELECT 1) one LEFT JOIN pg_catalog.pg_stat_wal_receiver w ON true";

const char* const k_wraparound_sql =
    "SELECT d.datname AS database, pg_catalog.age(d.datfrozenxid)::int8 AS xid_age,"
    " pg_catalog.mxid_age(d.datminmxid)::int8 AS mxid_age,"
    " pg_catalog.current_setting('autovacuum_freeze_max_age')::int8 AS freeze_max_age,"
    " round(100.0 * pg_catalog.age(d.datfrozenxid)"
    " / pg_catalog.current_setting('autovacuum_freeze_max_age')::int8, 2)::float8 AS freeze_max_age_percent"
    " FROM pg_catalog.pg_database d WHERE d.datallowconn ORDER BY d.datname";

constexpr Field k_standby_fields[] = {
    {"pid", Kind::integer},
    {"usename", Kind::text},
    {"application_name", Kind::text},
    {"client_addr", Kind::text},
    {"state", Kind::text},
    {"sync_state", Kind::text},
    {"sent_lsn", Kind::text},
    {"write_lsn", Kind::text},
    {"flush_lsn", Kind::text},
    {"replay_lsn", Kind::text},
    {"sent_lag_bytes", Kind::integer},
    {"flush_lag_bytes", Kind::integer},
    {"replay_lag_bytes", Kind::integer},
    {"write_lag_s", Kind::number},
    {"flush_lag_s", Kind::number},
    {"replay_lag_s", Kind::number},
    {"backend_start", Kind::text},
};

constexpr Field k_slot_fields[] = {
    {"slot_name", Kind::text},    {"slot_type", Kind::text},        {"plugin", Kind::text},
    {"database", Kind::text},     {"active", Kind::boolean},        {"active_pid", Kind::integer},
    {"temporary", Kind::boolean}, {"restart_lsn", Kind::text},      {"confirmed_flush_lsn", Kind::text},
    {"wal_status", Kind::text},   {"safe_wal_size", Kind::integer}, {"retained_bytes", Kind::integer},
};

constexpr Field k_receiver_fields[] = {
    {"pid", Kind::integer},
    {"status", Kind::text},
    {"sender_host", Kind::text},
    {"sender_port", Kind::integer},
    {"slot_name", Kind::text},
    {"received_tli", Kind::integer},
    {"written_lsn", Kind::text},
    {"flushed_lsn", Kind::text},
    {"latest_end_lsn", Kind::text},
    {"last_msg_receipt_time", Kind::text},
    {"receive_lsn", Kind::text},
    {"replay_lsn", Kind::text},
    {"replay_gap_bytes", Kind::integer},
    {"replay_delay_s", Kind::number},
    {"replay_paused", Kind::boolean},
};

constexpr Field k_wraparound_fields[] = {
    {"database", Kind::text},
    {"xid_age", Kind::integer},
    {"mxid_age", Kind::integer},
    {"freeze_max_age", Kind::integer},
    {"freeze_max_age_percent", Kind::number},
};

} // namespace

nlohmann::json read_replication(pg::Session& session, std::uint64_t* rows) {
    const auto role = session.query(k_role_sql);
    const bool standby = role.get_bool(0, 0).value_or(false);
    nlohmann::json o = {{"role", standby ? "standby" : "primary"}, {"current_lsn", role.get(0, 1).value_or("")}};
    o["standbys"] = nlohmann::json::array();
    if (!standby) {
        o["standbys"] = rows_array(session.query(k_standbys_sql), k_standby_fields);
    }
    o["slots"] = rows_array(session.query(k_slots_sql), k_slot_fields);
    o["wal_receiver"] = nullptr;
    if (standby) {
        const auto receiver = session.query(k_receiver_sql);
        o["wal_receiver"] = row_object(receiver, 0, k_receiver_fields);
    }
    o["wraparound"] = rows_array(session.query(k_wraparound_sql), k_wraparound_fields);
    if (rows != nullptr) {
        *rows += 1 + o["standbys"].size() + o["slots"].size() + o["wraparound"].size();
    }
    return o;
}

std::unique_ptr<collect::Collector> make_replication() {
    return std::make_unique<SessionCollector>(
        [](pg::Session& s, const collect::Context&, collect::Output& out) {
            out.metrics.push_back(read_replication(s, &out.rows));
        },
        false);
}

} // namespace pga::collectors

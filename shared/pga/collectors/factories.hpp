// Factories of every collector, referenced by the collector table (pga/collect/registry.cpp).
#pragma once

#include "pga/collect/collector.hpp"

#include <memory>

namespace pga::collectors {

std::unique_ptr<collect::Collector> make_query_stats();
std::unique_ptr<collect::Collector> make_pg_stats();
std::unique_ptr<collect::Collector> make_sysstat();
std::unique_ptr<collect::Collector> make_disk_usage();
std::unique_ptr<collect::Collector> make_replication();
std::unique_ptr<collect::Collector> make_locks();
std::unique_ptr<collect::Collector> make_bloat();
std::unique_ptr<collect::Collector> make_cache();
std::unique_ptr<collect::Collector> make_connections();
std::unique_ptr<collect::Collector> make_extensions();
std::unique_ptr<collect::Collector> make_schema();
std::unique_ptr<collect::Collector> make_log();
std::unique_ptr<collect::Collector> make_io();
std::unique_ptr<collect::Collector> make_checkpointer();
std::unique_ptr<collect::Collector> make_wal();
std::unique_ptr<collect::Collector> make_settings();

} // namespace pga::collectors

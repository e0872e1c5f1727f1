// Factories of every collector, referenced by the collector table (pga/collect/registry.cpp).
#pragma once

#include "pga/collect/collector.hpp"

#include <memory>

namespace pga::collectors {

std::unique_ptr<collect::Collector> make_query_stats();
std::unique_ptr<collect::Collector> make_pg_stats();
std::unique_ptr<collect::Collector> make_sysstat();
std::unique_ptr<collect::Collector> make_disk_usage();

} // namespace pga::collectors

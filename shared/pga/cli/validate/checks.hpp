// The check sections of pga-validate, one function per section (each in its own file). Every
// function adds its results to the report and never throws: a failure is a check with a hint.
#pragma once

#include "pga/cli/validate/report.hpp"
#include "pga/config/loader.hpp"

#include <string>

namespace pga::cli::validate {

// The section names, in the order they run.
inline constexpr const char* k_sections[] = {"config", "postgresql", "backend", "tls", "system"};

// Reports every diagnostic of loading the config, and the permissions of the config and secret files.
void check_config(const config::LoadResult& loaded, const std::string& path, Report& report);

// Reports reachability, version, pg_stat_statements, role privileges and connection headroom.
void check_postgresql(const config::Config& config, Report& report);

// Reports the backend's health endpoint and whether the credentials are accepted (empty push).
void check_backend(const config::Config& config, Report& report);

// Reports the TLS files (readable, parse, key matches, chain verifies) and certificate expiry.
void check_tls(const config::Config& config, Report& report);

// Reports free disk where binaries, logs and the spool live, memory and CPU cores.
void check_system(const config::Config& config, Report& report);

} // namespace pga::cli::validate

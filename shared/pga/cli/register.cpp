// `pganalytics register`: see register.hpp.
#include "pga/cli/register.hpp"

#include "pga/cli/common.hpp"
#include "pga/cli/exit_codes.hpp"
#include "pga/deliver/client.hpp"
#include "pga/deliver/curl_transport.hpp"
#include "pga/deliver/identity.hpp"
#include "pga/log/log.hpp"
#include "pga/util/strings.hpp"
#include "pga/version.hpp"

#include <ostream>

namespace pga::cli {

namespace {

// Returns an error line when the configuration cannot register, else "".
std::string precondition(const config::Config& c) {
    if (c.backend.url.empty()) {
        return "register: [backend] url is not set\nhint: set url in the [backend] section";
    }
    if (c.backend.registration_secret.empty()) {
        return "register: no registration secret\nhint: set [backend] registration_secret_file or the "
               "REGISTRATION_SECRET environment variable";
    }
    return "";
}

// Returns the refusal text when an identity exists and force is off, else "".
std::string existing_identity(const deliver::IdentityStore& store, bool force) {
    if (force || !store.exists()) {
        return "";
    }
    std::string id = "unreadable";
    try {
        if (auto stored = store.load()) {
            id = stored->collector_id;
        }
    } catch (const std::exception&) {
    }
    return "register: an identity is already stored in " + store.identity_path().string() + " (collector_id " +
           util::escape_control(id) +
           ")\nhint: `pganalytics register --force` registers again; the backend then creates a new collector";
}

} // namespace

int run_register(const std::optional<std::string>& config_path, bool force, std::ostream& out, std::ostream& err) {
    log::setup_stderr("warning");
    const auto config = load_config(config_path, err);
    if (!config) {
        return k_exit_config;
    }
    if (const auto why = precondition(*config); !why.empty()) {
        err << why << "\n";
        return k_exit_config;
    }
    const deliver::IdentityStore store(config->collector.state_dir);
    if (const auto why = existing_identity(store, force); !why.empty()) {
        err << why << "\n";
        return k_exit_failure;
    }
    if (!config->tls.verify && config->tls.verify_written) {
        err << "warning: TLS certificate verification of the backend is off ([tls] verify = false)\n";
    }
    deliver::CurlTransport transport(deliver::curl_options(*config));
    deliver::BackendClient client(config->backend.url, transport);
    const auto& c = config->collector;
    const auto resp = client.register_collector(config->backend.registration_secret,
                                                {c.id.empty() ? c.hostname : c.id, c.hostname, k_version});
    const auto registration = resp.ok() ? deliver::parse_registration(resp) : std::nullopt;
    if (!registration) {
        err << "register: registration with " << config->backend.url << " failed: "
            << (resp.ok() ? "the answer holds no collector_id and token" : deliver::describe_failure(resp)) << "\n";
        return k_exit_failure;
    }
    try {
        store.save(*registration, config->backend.url);
    } catch (const std::exception& e) {
        err << "register: registered as " << registration->collector_id
            << " but cannot store the identity: " << e.what() << "\n";
        return k_exit_failure;
    }
    out << "Registered with " << config->backend.url << "\n";
    out << "Collector ID: " << util::escape_control(registration->collector_id) << "\n";
    out << "Identity stored in " << c.state_dir << "\n";
    return k_exit_ok;
}

} // namespace pga::cli

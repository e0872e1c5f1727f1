// Identity files in state_dir: see identity.hpp.
#include "pga/deliver/identity.hpp"

#include "pga/util/files.hpp"
#include "pga/util/strings.hpp"
#include "pga/util/time.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace pga::deliver {

bool IdentityStore::exists() const {
    std::error_code ec;
    return std::filesystem::exists(identity_path(), ec);
}

std::optional<StoredIdentity> IdentityStore::load() const {
    if (!exists()) {
        return std::nullopt;
    }
    const auto doc = nlohmann::json::parse(util::read_file(identity_path()), nullptr, false);
    if (!doc.is_object() || !doc.contains("collector_id") || !doc["collector_id"].is_string()) {
        throw std::runtime_error(identity_path().string() + ": not a collector identity (no collector_id)");
    }
    StoredIdentity id;
    id.collector_id = doc["collector_id"].get<std::string>();
    id.registered_at = doc.value("registered_at", "");
    std::string why;
    if (auto token = util::try_read_file(token_path(), &why)) {
        id.token = util::Secret(std::string(util::trim(*token)), token_path().string());
    }
    return id;
}

void IdentityStore::save(const Registration& r, const std::string& backend_url) const {
    std::filesystem::create_directories(dir_);
    if (!r.certificate.empty()) {
        util::atomic_write(certificate_path(), r.certificate, 0600);
    }
    if (!r.private_key.empty()) {
        util::atomic_write(key_path(), r.private_key.reveal(), 0600);
    }
    save_token(r.token);
    const nlohmann::json doc = {
        {"collector_id", r.collector_id},
        {"registered_at", util::rfc3339_utc(util::SystemClock::now())},
        {"backend_url", backend_url},
        {"token_expires_at", r.expires_at},
    };
    util::atomic_write(identity_path(), doc.dump(2) + "\n", 0644);
}

void IdentityStore::save_token(const util::Secret& token) const {
    util::atomic_write(token_path(), token.reveal() + "\n", 0600);
}

} // namespace pga::deliver

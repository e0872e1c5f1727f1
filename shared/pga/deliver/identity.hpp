// The collector's identity in state_dir, written by `pganalytics register` and by re-registration
// and token refresh: identity.json (collector_id, when and where registered; no secrets, 0644),
// token (0600), collector.crt and collector.key (0600). Every file is written atomically; the
// identity file goes last, so a crash leaves the old identity or the new one.
#pragma once

#include "pga/util/secret.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace pga::deliver {

// What a successful registration returned.
struct Registration {
    std::string collector_id;
    util::Secret token;
    std::string certificate;
    util::Secret private_key;
    std::string expires_at;
};

struct StoredIdentity {
    std::string collector_id;
    util::Secret token; // empty when the token file is missing
    std::string registered_at;
};

class IdentityStore {
public:
    explicit IdentityStore(std::filesystem::path state_dir) : dir_(std::move(state_dir)) {}

    // Returns true when an identity file exists.
    bool exists() const;
    // Returns the stored identity, or nullopt when none. Throws std::runtime_error when the
    // identity file exists but cannot be read or parsed.
    std::optional<StoredIdentity> load() const;
    // Persists a registration (certificate, key and token first, identity last). Throws
    // std::runtime_error naming the file on failure.
    void save(const Registration& registration, const std::string& backend_url) const;
    // Replaces the stored token atomically (0600). Throws std::runtime_error on failure.
    void save_token(const util::Secret& token) const;

    std::filesystem::path identity_path() const { return dir_ / "identity.json"; }
    std::filesystem::path token_path() const { return dir_ / "token"; }
    std::filesystem::path certificate_path() const { return dir_ / "collector.crt"; }
    std::filesystem::path key_path() const { return dir_ / "collector.key"; }

private:
    std::filesystem::path dir_;
};

} // namespace pga::deliver

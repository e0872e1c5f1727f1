// A secret value (password, token, registration secret) that cannot be printed by accident:
// it has no stream or format operator, and its description names only where it came from.
#pragma once

#include <string>
#include <utility>

namespace pga::util {

class Secret {
public:
    Secret() = default;
    Secret(std::string value, std::string source) : value_(std::move(value)), source_(std::move(source)) {}

    // Returns the secret itself; call only where it is handed to libpq, curl or a 0600 file.
    const std::string& reveal() const { return value_; }
    bool empty() const { return value_.empty(); }
    // Returns where the secret came from ("config file", "password_file /etc/...", "PGPASSWORD").
    const std::string& source() const { return source_; }
    // Returns a printable stand-in: "<redacted, from SOURCE>" or "<none>".
    std::string describe() const { return empty() ? "<none>" : "<redacted, from " + source_ + ">"; }

private:
    std::string value_;
    std::string source_;
};

} // namespace pga::util

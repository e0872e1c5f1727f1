// The --dry-run sink: prints each batch's push body (the backend-api.md envelope) to a stream, so a
// user sees exactly what would leave the host, and sends nothing.
#pragma once

#include "pga/collect/envelope.hpp"

#include <iosfwd>

namespace pga::cli {

class StdoutSink final : public collect::BatchSink {
public:
    // Prints to out (not owned; must outlive the sink), indented JSON, one document per batch.
    StdoutSink(collect::EnvelopeInfo info, std::ostream& out) : info_(std::move(info)), out_(out) {}
    void accept(collect::Batch batch) override;
    nlohmann::json status() const override;

private:
    collect::EnvelopeInfo info_;
    std::ostream& out_;
    std::uint64_t printed_ = 0;
};

} // namespace pga::cli

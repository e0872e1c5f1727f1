// The push body of the backend contract, built at send time around a spooled metrics array (so a
// re-registration's new collector_id applies to the backlog too) with the one envelope definition
// of collect/envelope.hpp (schema_version included), and optional gzip.
#pragma once

#include "pga/collect/envelope.hpp"
#include "pga/deliver/spool.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace pga::deliver {

// collector_id must equal the token's collector_id claim.
using EnvelopeHeader = collect::EnvelopeInfo;

// Returns the JSON push body of collect::envelope_head: schema_version, collector_id, hostname,
// timestamp (the batch's creation, RFC3339 UTC), version, batch_id, sequence, metrics_count, and
// the entry's metrics array.
std::string build_envelope(const EnvelopeHeader& header, const SpoolEntry& entry);

// Compresses pieces added one after the other as one gzip member. The output grows by what
// deflate produces, never by a buffer the size of the input, so a multi-megabyte body costs its
// compressed size. Throws std::runtime_error when zlib fails.
class Gzip {
public:
    Gzip();
    ~Gzip();
    Gzip(const Gzip&) = delete;
    Gzip& operator=(const Gzip&) = delete;
    void add(std::string_view data);
    // Returns the member, once. add() and finish() after it, or after either failed, throw
    // std::logic_error.
    std::string finish();

private:
    struct State;
    std::unique_ptr<State> state_;
};

// Returns data compressed as one gzip member. Throws std::runtime_error when zlib fails.
std::string gzip(std::string_view data);

} // namespace pga::deliver

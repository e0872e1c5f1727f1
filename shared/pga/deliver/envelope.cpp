// Push envelope and gzip: see envelope.hpp.
#include "pga/deliver/envelope.hpp"

#include "pga/util/time.hpp"

#include <algorithm>
#include <stdexcept>
#include <zlib.h>

namespace pga::deliver {

std::string build_envelope(const EnvelopeHeader& header, const SpoolEntry& entry) {
    const auto created = util::SystemClock::time_point(std::chrono::milliseconds(entry.created_ms));
    const auto count = static_cast<std::size_t>(std::max<std::int64_t>(0, entry.metrics_count));
    return collect::envelope_text(collect::envelope_head(header, {entry.batch_id, entry.sequence, created, count}),
                                  entry.body);
}

std::string gzip(std::string_view data) {
    z_stream zs{};
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("gzip: deflateInit2 failed");
    }
    std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 32, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        throw std::runtime_error("gzip: deflate failed");
    }
    return out;
}

} // namespace pga::deliver

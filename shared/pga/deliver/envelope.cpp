// Push envelope and gzip: see envelope.hpp.
#include "pga/deliver/envelope.hpp"

#include "pga/util/time.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <zlib.h>

namespace pga::deliver {

std::string build_envelope(const EnvelopeHeader& header, const SpoolEntry& entry) {
    const auto created = util::SystemClock::time_point(std::chrono::milliseconds(entry.created_ms));
    const auto count = static_cast<std::size_t>(std::max<std::int64_t>(0, entry.metrics_count));
    return collect::envelope_text(collect::envelope_head(header, {entry.batch_id, entry.sequence, created, count}),
                                  entry.body);
}

struct Gzip::State {
    static constexpr std::size_t k_chunk = 64 * 1024;
    z_stream zs{};
    std::string out;
    std::unique_ptr<unsigned char[]> chunk = std::make_unique_for_overwrite<unsigned char[]>(k_chunk);
    bool finished = false;

    // Runs deflate over the pending input with flush, appending what it writes to out.
    void run(int flush) {
        int rc = Z_OK;
        do {
            zs.next_out = chunk.get();
            zs.avail_out = static_cast<uInt>(k_chunk);
            rc = deflate(&zs, flush);
            if (rc == Z_STREAM_ERROR) {
                throw std::runtime_error("gzip: deflate failed");
            }
            out.append(reinterpret_cast<const char*>(chunk.get()), k_chunk - zs.avail_out);
        } while (zs.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
    }
};

Gzip::Gzip() : state_(std::make_unique<State>()) {
    if (deflateInit2(&state_->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("gzip: deflateInit2 failed");
    }
}

Gzip::~Gzip() {
    deflateEnd(&state_->zs);
}

void Gzip::add(std::string_view data) {
    if (state_->finished) {
        throw std::logic_error("gzip: data added after finish or after a failure");
    }
    state_->finished = true; // until this piece is in: a failure midway leaves no usable member
    constexpr std::size_t k_slice = std::size_t{1} << 30; // avail_in is 32 bits wide
    while (!data.empty()) {
        const auto n = std::min(data.size(), k_slice);
        state_->zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
        state_->zs.avail_in = static_cast<uInt>(n);
        state_->run(Z_NO_FLUSH);
        data.remove_prefix(n);
    }
    state_->finished = false;
}

std::string Gzip::finish() {
    if (state_->finished) {
        throw std::logic_error("gzip: finished twice or after a failure");
    }
    state_->finished = true;
    state_->zs.avail_in = 0;
    state_->run(Z_FINISH);
    return std::move(state_->out);
}

std::string gzip(std::string_view data) {
    Gzip g;
    g.add(data);
    return g.finish();
}

} // namespace pga::deliver

// libFuzzer target: verification of a stored spool row (deliver::decode_entry), the check every
// read of the spool makes before an entry is sent. Two kinds of input, chosen by the first byte:
// an arbitrary row (checksum included), and a row written honestly (checksum from
// entry_checksum) then damaged in one field. Properties: an accepted row decodes to exactly the
// stored fields and re-checksums to the stored value (nothing is lost or reinterpreted on the
// way); an honest row is always accepted; a damaged row is never accepted.
#include "fuzz_check.hpp"
#include "pga/deliver/spool.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <string>

namespace {

using pga::deliver::StoredEntry;

// Returns true when entry holds exactly the fields of row.
bool same_fields(const pga::deliver::SpoolEntry& entry, const StoredEntry& row) {
    return entry.id == row.id && entry.batch_id == row.batch_id &&
           entry.sequence == static_cast<std::uint64_t>(row.sequence) && entry.created_ms == row.created_ms &&
           entry.metrics_count == row.metrics_count && entry.split_level == row.split_level && entry.body == row.body;
}

bool same_identity(const StoredEntry& a, const StoredEntry& b) {
    return a.batch_id == b.batch_id && a.sequence == b.sequence && a.created_ms == b.created_ms &&
           a.metrics_count == b.metrics_count && a.split_level == b.split_level && a.body == b.body;
}

// Returns the checksum an honest writer stores for row (put() writes items whose split_level is
// an int).
std::int64_t honest_checksum(const StoredEntry& row) {
    pga::deliver::SpoolItem item;
    item.batch_id = row.batch_id;
    item.sequence = static_cast<std::uint64_t>(row.sequence);
    item.created_ms = row.created_ms;
    item.metrics_count = row.metrics_count;
    item.split_level = static_cast<int>(row.split_level);
    item.body = row.body;
    return pga::deliver::entry_checksum(item);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const bool honest = in.ConsumeBool();
    StoredEntry row;
    row.id = in.ConsumeIntegral<std::int64_t>();
    row.batch_id = in.ConsumeRandomLengthString(64);
    row.sequence = in.ConsumeIntegral<std::int64_t>();
    row.created_ms = in.ConsumeIntegral<std::int64_t>();
    row.metrics_count = in.ConsumeIntegral<std::int64_t>();
    row.split_level = honest ? in.ConsumeIntegral<int>() : in.ConsumeIntegral<std::int64_t>();
    row.checksum = honest ? 0 : in.ConsumeIntegral<std::int64_t>();
    const int damage = honest ? in.ConsumeIntegralInRange<int>(0, 8) : 0;
    const auto delta = in.ConsumeIntegral<std::int64_t>();
    row.body = in.ConsumeRemainingBytesAsString();

    if (!honest) {
        if (const auto entry = pga::deliver::decode_entry(row)) {
            PGA_FUZZ_CHECK(same_fields(*entry, row));
            PGA_FUZZ_CHECK(pga::deliver::entry_checksum(*entry) == row.checksum);
        }
        return 0;
    }

    row.checksum = honest_checksum(row);
    const auto written = row;
    const auto entry = pga::deliver::decode_entry(row);
    PGA_FUZZ_CHECK(entry.has_value());
    PGA_FUZZ_CHECK(same_fields(*entry, row));

    // One damaged field (damage 0 leaves the row intact). Integers move by a non-zero delta (or,
    // for split_level, by a multiple of 2^32); text has a byte flipped.
    const auto step = static_cast<std::uint64_t>(delta == 0 ? 1 : delta);
    const auto moved = [](std::int64_t v, std::uint64_t by) {
        return static_cast<std::int64_t>(static_cast<std::uint64_t>(v) + by);
    };
    switch (damage) {
    case 1: row.sequence = moved(row.sequence, step); break;
    case 2: row.created_ms = moved(row.created_ms, step); break;
    case 3: row.metrics_count = moved(row.metrics_count, step); break;
    case 4: row.split_level = moved(row.split_level, step); break;
    // Text is damaged in place (same length): CRC-32 detects every error burst of up to 32 bits,
    // but not every insertion (after a prefix that zeroes its register, as "\xff\xff\xff\xff"
    // does at the start, a NUL byte more leaves it unchanged), so lengths are not changed.
    case 5:
        if (!row.body.empty()) {
            row.body[static_cast<std::size_t>(delta) % row.body.size()] ^= static_cast<char>((delta >> 8) | 1);
        }
        break;
    case 6:
        if (!row.batch_id.empty()) {
            row.batch_id[static_cast<std::size_t>(delta) % row.batch_id.size()] ^= static_cast<char>((delta >> 8) | 1);
        }
        break;
    case 7: row.checksum = moved(row.checksum, step); break;
    // The stored split_level is 64 bits wide, the item's an int: a change in the high bits only
    // must still be caught.
    case 8: row.split_level = moved(row.split_level, step << 32); break;
    default: break;
    }
    const auto damaged = pga::deliver::decode_entry(row);
    if (same_identity(row, written) && row.checksum == written.checksum) {
        PGA_FUZZ_CHECK(damaged.has_value());
    } else if (damaged) {
        // Accepted after damage: only acceptable if the damage left every field the same.
        PGA_FUZZ_CHECK(same_fields(*damaged, row));
        PGA_FUZZ_CHECK(same_identity(row, written));
    }
    return 0;
}

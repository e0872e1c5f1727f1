// The persisted batch sequence: see sequence.hpp.
#include "pga/state/sequence.hpp"

#include "pga/util/files.hpp"
#include "pga/util/strings.hpp"

#include <charconv>
#include <stdexcept>
#include <string>

namespace pga::state {

Sequence::Sequence(std::filesystem::path state_dir, bool persist)
    : path_(std::move(state_dir) / "sequence"), persist_(persist) {
    std::error_code ec;
    if (!persist_ || !std::filesystem::exists(path_, ec)) {
        return;
    }
    const std::string content = util::read_file(path_); // trim() returns a view: keep what it views
    const auto text = util::trim(content);
    const auto [ptr, err] = std::from_chars(text.data(), text.data() + text.size(), last_);
    if (err != std::errc{} || ptr != text.data() + text.size()) {
        throw std::runtime_error(path_.string() + ": not a sequence number");
    }
}

std::uint64_t Sequence::next() {
    const auto n = ++last_;
    if (persist_) {
        util::atomic_write(path_, std::to_string(n) + "\n", 0644);
    }
    return n;
}

} // namespace pga::state

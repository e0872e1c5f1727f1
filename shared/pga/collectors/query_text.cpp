// Query text clean-up and cache: see query_text.hpp.
#include "pga/collectors/query_text.hpp"

#include "pga/util/strings.hpp"

namespace pga::collectors {

namespace {

// Returns true when text holds a string literal: a quote, or a dollar quote ($$ or $tag$, as
// opposed to the $1 parameters of normalized statements).
bool has_literal(std::string_view text) {
    if (text.find('\'') != std::string_view::npos) {
        return true;
    }
    for (std::size_t i = text.find('$'); i != std::string_view::npos; i = text.find('$', i + 1)) {
        if (i + 1 < text.size() && (text[i + 1] < '0' || text[i + 1] > '9')) {
            return true;
        }
    }
    return false;
}

std::string truncate_utf8(std::string_view text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) {
        return std::string(text);
    }
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
        --cut;
    }
    return std::string(text.substr(0, cut)) + " ... (truncated)";
}

} // namespace

std::string clean_query_text(std::string_view text) {
    const auto lower = util::to_lower(text);
    const auto pos = lower.find("password");
    if (pos != std::string::npos && has_literal(text)) {
        // Cut after the word; when even that is longer than the cap, the cap cuts first (the
        // literal after the word goes with the cut).
        if (pos + 8 <= k_max_query_text_bytes) {
            return std::string(text.substr(0, pos + 8)) + " <redacted>";
        }
        return truncate_utf8(text.substr(0, pos + 8), k_max_query_text_bytes);
    }
    return truncate_utf8(text, k_max_query_text_bytes);
}

const std::string* QueryTextCache::find(const Key& key) const {
    const auto it = texts_.find(key);
    return it == texts_.end() ? nullptr : &it->second;
}

void QueryTextCache::put(const Key& key, std::string text) {
    texts_[key] = std::move(text);
}

void QueryTextCache::trim(const std::set<Key>& keep) {
    for (auto it = texts_.begin(); it != texts_.end() && texts_.size() > max_entries_;) {
        it = keep.count(it->first) > 0 ? std::next(it) : texts_.erase(it);
    }
}

} // namespace pga::collectors

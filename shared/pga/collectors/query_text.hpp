// Query text handling for pg_query_stats: a bounded cache of texts by (dbid, queryid), so the
// text file of pg_stat_statements is read only when new statements appear, and the clean-up of
// each text before it leaves the host (length cap, passwords in utility statements removed).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace pga::collectors {

// Texts longer than this are cut at a UTF-8 boundary and marked.
inline constexpr std::size_t k_max_query_text_bytes = 32768;

// Returns text ready to send: statements that mention a password and carry a literal are cut
// after the word ("ALTER ROLE x PASSWORD <redacted>"), and long texts are truncated.
std::string clean_query_text(std::string_view text);

class QueryTextCache {
public:
    using Key = std::pair<std::int64_t, std::int64_t>; // (dbid, queryid)

    explicit QueryTextCache(std::size_t max_entries = 10000) : max_entries_(max_entries) {}
    // Returns the cached text of key, or nullptr.
    const std::string* find(const Key& key) const;
    void put(const Key& key, std::string text);
    // Drops entries not in keep while the cache holds more than its bound.
    void trim(const std::set<Key>& keep);
    std::size_t size() const { return texts_.size(); }

private:
    std::size_t max_entries_;
    std::map<Key, std::string> texts_;
};

} // namespace pga::collectors

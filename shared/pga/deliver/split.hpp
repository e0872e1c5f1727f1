// Cutting batches into request-sized spool items: a batch whose JSON would exceed the request
// budget ([backend] max_request_kib) becomes several items, each a valid push on its own, with
// ids "<batch_id>-p<k>" so that retries stay deduplicable. A single metric object larger than the
// budget is cut along its largest array member (pg_query_stats' `queries`), each piece keeping
// the object's other fields.
#pragma once

#include "pga/collect/batch.hpp"
#include "pga/deliver/spool.hpp"

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace pga::deliver {

// Returns j as compact JSON; invalid UTF-8 in strings is replaced, never thrown on.
std::string dump_json(const nlohmann::json& j);

// Returns the metric objects in groups whose JSON array text stays within budget_bytes where
// possible; order is kept. An object that alone exceeds the budget is cut (see above) or, when
// it has no array to cut, goes alone.
std::vector<std::vector<collect::Metric>> split_metrics(const std::vector<collect::Metric>& metrics,
                                                        std::size_t budget_bytes);

// The spool items of a batch: one item when it fits the budget, else its parts. The grouping is
// done once; each item's body is built when asked for, so a caller storing them one by one holds
// one item's text at a time beside the batch, not a copy of the whole batch.
class SpoolItems {
public:
    // Keeps a reference to batch, which must outlive this.
    SpoolItems(const collect::Batch& batch, std::size_t budget_bytes);
    ~SpoolItems();
    SpoolItems(const SpoolItems&) = delete;
    SpoolItems& operator=(const SpoolItems&) = delete;
    std::size_t size() const;
    SpoolItem item(std::size_t i) const;

private:
    struct Parts;
    const collect::Batch& batch_;
    std::unique_ptr<Parts> parts_;
};

// Returns every item of SpoolItems(batch, budget_bytes).
std::vector<SpoolItem> to_spool_items(const collect::Batch& batch, std::size_t budget_bytes);

// Returns an entry cut in two (after a 413), parts marked split_level 1; empty when the entry is
// already a split part or cannot be cut (one object, no array to cut, or an unparsable body).
std::vector<SpoolItem> halve(const SpoolEntry& entry);

} // namespace pga::deliver

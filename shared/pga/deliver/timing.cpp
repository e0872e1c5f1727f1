// Delivery timing: see timing.hpp.
#include "pga/deliver/timing.hpp"

#include <algorithm>

namespace pga::deliver {

Timing scaled_timing(double divisor) {
    Timing t;
    const auto scale = [divisor](milliseconds& d) {
        d = std::max(milliseconds(1),
                     milliseconds(static_cast<std::int64_t>(static_cast<double>(d.count()) / divisor)));
    };
    for (auto* d : {&t.backoff_base, &t.backoff_cap, &t.retry_after_min, &t.retry_after_max, &t.pace, &t.auth_probe,
                    &t.reregister_min_gap, &t.refresh_retry, &t.config_unavailable, &t.config_unavailable_max}) {
        scale(*d);
    }
    return t;
}

} // namespace pga::deliver

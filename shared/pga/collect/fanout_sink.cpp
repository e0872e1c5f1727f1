// Fan-out sink: see fanout_sink.hpp.
#include "pga/collect/fanout_sink.hpp"

#include <exception>

namespace pga::collect {

FanoutSink::FanoutSink(std::vector<std::unique_ptr<BatchSink>> sinks) {
    for (auto& s : sinks) {
        if (s) {
            sinks_.push_back(std::move(s));
        }
    }
}

void FanoutSink::accept(Batch batch) {
    std::exception_ptr first;
    for (std::size_t i = 0; i < sinks_.size(); ++i) {
        try {
            if (i + 1 == sinks_.size()) {
                sinks_[i]->accept(std::move(batch));
            } else {
                sinks_[i]->accept(batch);
            }
        } catch (...) {
            if (!first) {
                first = std::current_exception();
            }
        }
    }
    if (first) {
        std::rethrow_exception(first);
    }
}

void FanoutSink::push_due() {
    for (auto& s : sinks_) {
        s->push_due();
    }
}

void FanoutSink::shutdown(util::SteadyClock::time_point deadline) {
    for (auto& s : sinks_) {
        s->shutdown(deadline);
    }
}

nlohmann::json FanoutSink::status() const {
    nlohmann::json merged;
    for (const auto& s : sinks_) {
        auto one = s->status();
        if (one.is_object()) {
            if (!merged.is_object()) {
                merged = nlohmann::json::object();
            }
            merged.update(one);
        }
    }
    return merged;
}

} // namespace pga::collect

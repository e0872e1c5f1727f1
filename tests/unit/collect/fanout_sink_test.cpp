// Unit tests of pga/collect/fanout_sink.
#include "pga/collect/fanout_sink.hpp"

#include <gtest/gtest.h>
#include <stdexcept>

using namespace pga::collect;

namespace {

struct Recorder final : BatchSink {
    std::vector<std::string>* log;
    std::string name;
    bool fail = false;
    Recorder(std::vector<std::string>* l, std::string n, bool f = false) : log(l), name(std::move(n)), fail(f) {}
    void accept(Batch b) override {
        log->push_back(name + ":" + b.batch_id);
        if (fail) {
            throw std::runtime_error(name + " failed");
        }
    }
    void push_due() override { log->push_back(name + ":push"); }
    nlohmann::json status() const override { return {{name, true}}; }
};

} // namespace

TEST(FanoutSink, every_sink_gets_the_batch_even_when_one_throws) {
    std::vector<std::string> log;
    std::vector<std::unique_ptr<BatchSink>> sinks;
    sinks.push_back(std::make_unique<Recorder>(&log, "a", true));
    sinks.push_back(nullptr);
    sinks.push_back(std::make_unique<Recorder>(&log, "b"));
    FanoutSink fan(std::move(sinks));
    Batch batch;
    batch.batch_id = "x";
    EXPECT_THROW(fan.accept(batch), std::runtime_error);
    fan.push_due();
    EXPECT_EQ(log, (std::vector<std::string>{"a:x", "b:x", "a:push", "b:push"}));
    EXPECT_EQ(fan.status(), (nlohmann::json{{"a", true}, {"b", true}}));
}

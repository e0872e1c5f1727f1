// spdlog set-up: see log.hpp.
#include "pga/log/log.hpp"

#include "pga/util/strings.hpp"

#include <mutex>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace pga::log {

namespace {

// Writes the message text with control characters escaped (%v replacement).
class EscapedMessage final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        const auto text = util::escape_control(std::string_view(msg.payload.data(), msg.payload.size()));
        dest.append(text.data(), text.data() + text.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<EscapedMessage>(); }
};

// Writes the level in upper case, padded ("INFO ", "DEBUG").
class UpperLevel final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        static constexpr const char* names[] = {"TRACE", "DEBUG", "INFO ", "WARN ", "ERROR", "CRIT ", "OFF  "};
        const char* name = names[static_cast<int>(msg.level)];
        dest.append(name, name + 5);
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<UpperLevel>(); }
};

std::unique_ptr<spdlog::formatter> make_formatter() {
    auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    f->add_flag<UpperLevel>('*');
    f->add_flag<EscapedMessage>('&');
    f->set_pattern("%* %Y-%m-%dT%H:%M:%S.%eZ [%P] %&");
    return f;
}

std::mutex g_mutex;
Options g_options;
std::shared_ptr<spdlog::sinks::basic_file_sink_mt> g_file_sink;

spdlog::level::level_enum parse_level(const std::string& level, bool* ok) {
    *ok = true;
    if (level == "warning") {
        return spdlog::level::warn;
    }
    const auto parsed = spdlog::level::from_str(level);
    *ok = parsed != spdlog::level::off || level == "off";
    return parsed;
}

void install(const std::vector<spdlog::sink_ptr>& sinks, const std::string& level) {
    auto logger = std::make_shared<spdlog::logger>("pganalytics", sinks.begin(), sinks.end());
    logger->set_formatter(make_formatter());
    bool ok = true;
    logger->set_level(parse_level(level, &ok));
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(logger);
}

} // namespace

std::optional<std::string> setup(const Options& options) {
    std::lock_guard lock(g_mutex);
    g_options = options;
    std::vector<spdlog::sink_ptr> sinks;
    if (options.to_stderr) {
        sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
    }
    std::optional<std::string> warning;
    g_file_sink.reset();
    if (!options.file.empty()) {
        try {
            g_file_sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file);
            sinks.push_back(g_file_sink);
        } catch (const spdlog::spdlog_ex& e) {
            warning = "cannot open log file " + options.file + ": " + e.what() + "; logging to stderr";
            if (!options.to_stderr) {
                sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
            }
        }
    }
    install(sinks, options.level);
    if (warning) {
        spdlog::warn("{}", *warning);
    }
    return warning;
}

void reopen() {
    Options options;
    {
        std::lock_guard lock(g_mutex);
        options = g_options;
    }
    if (!options.file.empty()) {
        setup(options);
    }
}

bool set_level(const std::string& level) {
    bool ok = true;
    const auto parsed = parse_level(level, &ok);
    if (ok) {
        spdlog::set_level(parsed);
        std::lock_guard lock(g_mutex);
        g_options.level = level;
    }
    return ok;
}

void setup_stderr(const std::string& level) {
    std::lock_guard lock(g_mutex);
    g_options = Options{"", level, true};
    install({std::make_shared<spdlog::sinks::stderr_sink_mt>()}, level);
}

} // namespace pga::log

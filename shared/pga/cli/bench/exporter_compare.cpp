// The postgres_exporter comparison: see exporter_compare.hpp.
#include "pga/cli/bench/exporter_compare.hpp"

#include "pga/util/files.hpp"
#include "pga/util/process.hpp"
#include "pga/util/subprocess.hpp"

#include <arpa/inet.h>
#include <chrono>
#include <curl/curl.h>
#include <fstream>
#include <iterator>
#include <netinet/in.h>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace pga::cli::bench {

const std::vector<std::string>& shared_family_types() {
    static const std::vector<std::string> types = {"pg_connections", "pg_locks", "pg_replication", "pg_checkpointer",
                                                   "pg_settings"};
    return types;
}

namespace {

int free_loopback_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        if (fd >= 0) {
            ::close(fd);
        }
        throw std::runtime_error("cannot find a free loopback port: " + util::errno_text());
    }
    ::close(fd);
    return ntohs(a.sin_port);
}

std::size_t append(char* data, std::size_t size, std::size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

// GETs url; returns the body, or nullopt on a transport error or a status other than 200.
std::optional<std::string> get(const std::string& url) {
    CURL* c = curl_easy_init();
    if (c == nullptr) {
        return std::nullopt;
    }
    std::string body;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    const auto rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    return rc == CURLE_OK && status == 200 ? std::optional<std::string>(std::move(body)) : std::nullopt;
}

double cpu_ms(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = stat.rfind(')');
    if (close == std::string::npos) {
        return 0;
    }
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; rest >> field && i <= 15; ++i) {
        if (i == 14 || i == 15) { // utime, stime
            ticks += std::stod(field);
        }
    }
    return ticks * 1000.0 / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

} // namespace

ExporterResult measure_exporter(const std::string& binary, const pg::ConnParams& p, int scrapes,
                                const std::filesystem::path& log) {
    ExporterResult r;
    r.binary = binary;
    const int port = free_loopback_port();
    const std::string dsn =
        "host=" + p.host + " port=" + p.port + " user=" + p.user + " dbname=" + p.dbname + " sslmode=disable";
    const int pid =
        util::start_program({binary, "--web.listen-address=127.0.0.1:" + std::to_string(port), "--log.level=warn"},
                            {"DATA_SOURCE_NAME=" + dsn}, log);
    const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
    struct Stop {
        int pid;
        ~Stop() { util::stop_program(pid); }
    } stop{pid};
    bool up = false;
    for (int i = 0; i < 200 && !up; ++i) {
        up = get(url).has_value(); // also the warm-up scrape
        if (!up) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    if (!up) {
        throw std::runtime_error(binary + " did not answer on " + url + " (log: " + log.string() + ")");
    }
    std::vector<double> wall;
    const double cpu0 = cpu_ms(pid);
    std::string last;
    for (int i = 0; i < scrapes; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        auto body = get(url);
        wall.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        if (!body) {
            ++r.failures;
        } else {
            last = std::move(*body);
        }
    }
    r.cpu_ms_per_scrape = scrapes > 0 ? (cpu_ms(pid) - cpu0) / scrapes : 0;
    r.peak_rss_bytes = util::proc_status_bytes(pid, "VmHWM").value_or(0);
    r.scrape_ms = summarize(std::move(wall));
    r.bytes = last.size();
    std::size_t start = 0;
    while (start < last.size()) {
        const auto end = std::min(last.find('\n', start), last.size());
        if (end > start && last[start] != '#') {
            ++r.series;
        }
        start = end + 1;
    }
    return r;
}

} // namespace pga::cli::bench

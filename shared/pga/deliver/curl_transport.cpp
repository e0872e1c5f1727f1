// libcurl transport: see curl_transport.hpp.
#include "pga/deliver/curl_transport.hpp"

#include "pga/util/strings.hpp"
#include "pga/version.hpp"

#include <curl/curl.h>
#include <mutex>
#include <stdexcept>

namespace pga::deliver {

namespace {

using Clock = std::chrono::steady_clock;

struct EasyDeleter {
    void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct ListDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using ListPtr = std::unique_ptr<curl_slist, ListDeleter>;

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// What the callbacks of one request write into.
struct Sink {
    HttpResponse* response;
    std::size_t cap;
    bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
    auto* sink = static_cast<Sink*>(user);
    const std::size_t bytes = size * n;
    if (sink->response->body.size() + bytes > sink->cap) {
        sink->too_large = true;
        return 0;
    }
    sink->response->body.append(data, bytes);
    return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
    auto* sink = static_cast<Sink*>(user);
    const std::string_view line(data, size * n);
    if (util::starts_with(line, "HTTP/")) {
        sink->response->headers.clear(); // a new response (after 100 Continue)
    } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
        auto& value = sink->response->headers[util::to_lower(util::trim(line.substr(0, colon)))];
        value = std::string(util::trim(line.substr(colon + 1)));
    }
    return size * n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    const auto* deadline = static_cast<const std::atomic<Clock::rep>*>(user);
    const auto limit = deadline->load();
    return limit != 0 && Clock::now().time_since_epoch().count() > limit ? 1 : 0;
}

} // namespace

CurlOptions curl_options(const config::Config& config) {
    CurlOptions o;
    o.verify = config.tls.verify || !config.tls.verify_written;
    o.ca_file = config.tls.ca_file;
    o.cert_file = config.tls.cert_file;
    o.key_file = config.tls.key_file;
    o.connect_timeout = std::chrono::seconds(config.backend.connect_timeout_s);
    o.timeout = std::chrono::seconds(config.backend.timeout_s);
    o.user_agent = std::string("pganalytics/") + k_version;
    return o;
}

struct CurlTransport::State {
    CurlOptions options;
    EasyPtr easy;
    std::atomic<Clock::rep> abort_at{0};
    char error[CURL_ERROR_SIZE] = {};

    void set_common(Sink& sink, curl_slist* headers) {
        CURL* h = easy.get();
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
        curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_response_bytes));
        curl_easy_setopt(h, CURLOPT_USERAGENT, options.user_agent.c_str());
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, &abort_at);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
        set_tls();
    }

    void set_tls() {
        CURL* h = easy.get();
        curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, options.verify ? 1L : 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, options.verify ? 2L : 0L);
        if (!options.ca_file.empty()) {
            curl_easy_setopt(h, CURLOPT_CAINFO, options.ca_file.c_str());
        }
        if (!options.cert_file.empty()) {
            curl_easy_setopt(h, CURLOPT_SSLCERT, options.cert_file.c_str());
            curl_easy_setopt(h, CURLOPT_SSLKEY, options.key_file.c_str());
        }
    }

    void set_method(const HttpRequest& request) {
        CURL* h = easy.get();
        if (request.method == "GET") {
            curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
            return;
        }
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
        if (request.method != "POST") {
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
        }
    }
};

CurlTransport::CurlTransport(CurlOptions options) : state_(std::make_unique<State>()) {
    global_init();
    state_->options = std::move(options);
    state_->easy.reset(curl_easy_init());
    if (!state_->easy) {
        throw std::runtime_error("libcurl: cannot create a handle");
    }
}

CurlTransport::~CurlTransport() = default;

void CurlTransport::abort_after(std::chrono::steady_clock::time_point deadline) {
    state_->abort_at.store(deadline.time_since_epoch().count());
}

HttpResponse CurlTransport::perform(const HttpRequest& request) {
    HttpResponse response;
    Sink sink{&response, state_->options.max_response_bytes};
    ListPtr headers(curl_slist_append(nullptr, "Expect:"));
    for (const auto& [name, value] : request.headers) {
        headers.reset(curl_slist_append(headers.release(), (name + ": " + value).c_str()));
    }
    CURL* h = state_->easy.get();
    curl_easy_reset(h);
    state_->error[0] = '\0';
    state_->set_common(sink, headers.get());
    state_->set_method(request);
    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    const CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        response.status = static_cast<int>(status);
        return response;
    }
    response.status = 0;
    response.body.clear();
    if (sink.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
        response.error = "response larger than " + std::to_string(state_->options.max_response_bytes) + " bytes";
    } else if (rc == CURLE_ABORTED_BY_CALLBACK) {
        response.error = "aborted at shutdown";
    } else {
        response.error = state_->error[0] != '\0' ? state_->error : curl_easy_strerror(rc);
    }
    return response;
}

} // namespace pga::deliver

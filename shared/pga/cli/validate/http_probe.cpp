// One-shot libcurl probe: see http_probe.hpp.
#include "pga/cli/validate/http_probe.hpp"

#include <curl/curl.h>

#include <memory>

namespace pga::cli::validate {

namespace {

constexpr std::size_t k_max_body = 64 * 1024;

std::size_t on_data(char* data, std::size_t size, std::size_t n, void* user) {
    auto* out = static_cast<std::string*>(user);
    const std::size_t len = size * n;
    if (out->size() < k_max_body) {
        out->append(data, std::min(len, k_max_body - out->size()));
    }
    return len;
}

struct CurlDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

bool is_tls_error(CURLcode code) {
    return code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CONNECT_ERROR || code == CURLE_SSL_CERTPROBLEM ||
           code == CURLE_SSL_CACERT_BADFILE || code == CURLE_SSL_CIPHER;
}

void collect_certs(CURL* curl, HttpResponse& resp) {
    curl_certinfo* info = nullptr;
    if (curl_easy_getinfo(curl, CURLINFO_CERTINFO, &info) != CURLE_OK || info == nullptr) {
        return;
    }
    for (int i = 0; i < info->num_of_certs; ++i) {
        for (curl_slist* s = info->certinfo[i]; s != nullptr; s = s->next) {
            const std::string line = s->data;
            if (line.rfind("Cert:", 0) == 0) {
                resp.peer_certs_pem.push_back(line.substr(5));
            }
        }
    }
}

} // namespace

HttpResponse http_request(const config::Config& config, const std::string& url, bool post, const std::string& body,
                          const std::string& bearer, bool want_certs) {
    static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    HttpResponse resp;
    std::unique_ptr<CURL, CurlDeleter> curl(initialised ? curl_easy_init() : nullptr);
    if (!curl) {
        resp.error = "cannot initialise libcurl";
        return resp;
    }
    CURL* h = curl.get();
    char errbuf[CURL_ERROR_SIZE] = {0};
    std::unique_ptr<curl_slist, ListDeleter> headers(curl_slist_append(nullptr, "Content-Type: application/json"));
    const std::string auth = "Authorization: Bearer " + bearer;
    if (!bearer.empty()) {
        headers.reset(curl_slist_append(headers.release(), auth.c_str()));
    }
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(config.backend.connect_timeout_s));
    curl_easy_setopt(h, CURLOPT_TIMEOUT, static_cast<long>(config.backend.timeout_s));
    curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, config.tls.verify ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, config.tls.verify ? 2L : 0L);
    if (!config.tls.ca_file.empty()) {
        curl_easy_setopt(h, CURLOPT_CAINFO, config.tls.ca_file.c_str());
    }
    if (!config.tls.cert_file.empty()) {
        curl_easy_setopt(h, CURLOPT_SSLCERT, config.tls.cert_file.c_str());
    }
    if (!config.tls.key_file.empty()) {
        curl_easy_setopt(h, CURLOPT_SSLKEY, config.tls.key_file.c_str());
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_USERAGENT, "pga-validate");
    if (post) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    if (want_certs) {
        curl_easy_setopt(h, CURLOPT_CERTINFO, 1L);
    }
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &resp.body);
    const CURLcode code = curl_easy_perform(h);
    if (code != CURLE_OK) {
        resp.error = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code);
        resp.tls_failure = is_tls_error(code);
        return resp;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
    if (want_certs) {
        collect_certs(h, resp);
    }
    return resp;
}

} // namespace pga::cli::validate

// TLS to the backend with libcurl against the test backend's HTTPS port: verification on by
// default (a certificate from an unknown CA, a wrong name or an expired one is refused), ca_file
// makes the test CA trusted, mTLS presents the client certificate, verify = false accepts anything.
#include "deliver_backend.hpp"

#include "pga/deliver/client.hpp"
#include "pga/deliver/curl_transport.hpp"

#include <cstdlib>
#include <gtest/gtest.h>

using namespace pga;

namespace {

// The certificates of tests/backend/make_test_certs.sh, made once per test binary.
const std::filesystem::path& certs() {
    static const std::filesystem::path dir = [] {
        const auto d = std::filesystem::temp_directory_path() / ("pga-deliver-certs-" + std::to_string(::getpid()));
        const auto cmd =
            (test::source_dir() / "tests/backend/make_test_certs.sh").string() + " " + d.string() + " >/dev/null 2>&1";
        if (std::system(cmd.c_str()) != 0) {
            throw std::runtime_error("make_test_certs.sh failed");
        }
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(
                std::filesystem::temp_directory_path() / ("pga-deliver-certs-" + std::to_string(::getpid())), ec);
        });
        return d;
    }();
    return dir;
}

std::vector<std::string> https(const std::string& name, const std::vector<std::string>& more = {}) {
    std::vector<std::string> args = {"--tls-cert", (certs() / (name + ".crt")).string(), "--tls-key",
                                     (certs() / (name + ".key")).string()};
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

deliver::HttpResponse health(const test::TestBackend& backend, deliver::CurlOptions o) {
    o.connect_timeout = std::chrono::seconds(3);
    o.timeout = std::chrono::seconds(5);
    deliver::CurlTransport transport(o);
    deliver::BackendClient client(backend.url(), transport);
    return client.health();
}

deliver::CurlOptions trusting_test_ca() {
    deliver::CurlOptions o;
    o.ca_file = (certs() / "ca.crt").string();
    return o;
}

} // namespace

TEST(DeliverTls, a_certificate_from_an_unknown_ca_is_refused_by_default) {
    test::TestBackend backend(https("server"));
    ASSERT_EQ(backend.url().rfind("https://", 0), 0u);
    const auto r = health(backend, {});
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.error.find("certificate"), std::string::npos) << r.error;
}

TEST(DeliverTls, ca_file_makes_the_test_ca_trusted) {
    test::TestBackend backend(https("server"));
    EXPECT_EQ(health(backend, trusting_test_ca()).status, 200);
}

TEST(DeliverTls, wrong_name_and_expired_certificates_are_refused_even_from_a_trusted_ca) {
    for (const char* name : {"wrong-name", "expired"}) {
        test::TestBackend backend(https(name));
        const auto r = health(backend, trusting_test_ca());
        EXPECT_EQ(r.status, 0) << name;
    }
}

TEST(DeliverTls, verify_false_accepts_an_untrusted_certificate) {
    test::TestBackend backend(https("untrusted-server"));
    deliver::CurlOptions o;
    o.verify = false;
    EXPECT_EQ(health(backend, o).status, 200);
}

TEST(DeliverTls, verify_is_on_unless_written_false) {
    config::Config c;
    c.tls.verify = false;
    c.tls.verify_written = false;
    EXPECT_TRUE(deliver::curl_options(c).verify);
    c.tls.verify_written = true;
    EXPECT_FALSE(deliver::curl_options(c).verify);
}

TEST(DeliverTls, mtls_needs_the_client_certificate) {
    test::TestBackend backend(https("server", {"--client-ca", (certs() / "ca.crt").string()}));
    EXPECT_EQ(health(backend, trusting_test_ca()).status, 0); // no client certificate
    auto o = trusting_test_ca();
    o.cert_file = (certs() / "client.crt").string();
    o.key_file = (certs() / "client.key").string();
    EXPECT_EQ(health(backend, o).status, 200);
    o.cert_file = (certs() / "untrusted-client.crt").string();
    o.key_file = (certs() / "untrusted-client.key").string();
    EXPECT_EQ(health(backend, o).status, 0);
    const auto requests = backend.control("GET", "/_test/requests");
    bool seen = false;
    for (const auto& r : requests["requests"]) {
        seen |= r["client_cert"] == "pga-test-collector";
    }
    EXPECT_TRUE(seen);
}

TEST(DeliverTls, redirects_are_not_followed_and_responses_are_capped) {
    test::TestBackend backend;
    backend.fault({{"mode", "redirect"}, {"location", backend.url() + "/api/v1/health"}});
    deliver::CurlOptions o;
    EXPECT_EQ(health(backend, o).status, 302);
    backend.fault({{"mode", "huge"}, {"bytes", 4 << 20}});
    const auto r = health(backend, o);
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.error.find("larger than"), std::string::npos) << r.error;
    backend.fault({{"mode", "huge"}, {"bytes", 4 << 20}, {"chunked", true}});
    EXPECT_EQ(health(backend, o).status, 0);
}

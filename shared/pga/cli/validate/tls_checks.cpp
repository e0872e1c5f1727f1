// pga-validate's tls section (OpenSSL libcrypto for X.509): the CA, client certificate and key
// files are readable and parse, the key matches the certificate, the client certificate verifies
// against the CA, the backend's served chain verifies (libcurl with verification on), and no
// certificate expires within k_warn_days.
#include "pga/cli/validate/checks.hpp"
#include "pga/cli/validate/http_probe.hpp"

#include "pga/util/files.hpp"
#include "pga/util/strings.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pga::cli::validate {

namespace {

constexpr const char* k_sec = "tls";
constexpr int k_warn_days = 30;

struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};
struct BioFree {
    void operator()(BIO* b) const { BIO_free(b); }
};
struct KeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct StoreFree {
    void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct CtxFree {
    void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

std::vector<X509Ptr> read_certs(BIO* bio) {
    std::vector<X509Ptr> certs;
    while (X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
        certs.emplace_back(x);
    }
    return certs;
}

// Returns the content of the file configured as `key`, or nullopt after reporting an error that
// names the key, the file and the reason (so "Permission denied" is not mistaken for "not PEM").
std::optional<std::string> read_tls_file(const std::string& key, const std::string& path, Report& r) {
    std::string why;
    auto text = util::try_read_file(path, &why);
    if (!text) {
        r.error(k_sec, key, "cannot read " + key + " " + util::escape_control(path) + ": " + why,
                "make the file readable by the user the collector runs as");
    }
    return text;
}

std::unique_ptr<BIO, BioFree> memory_bio(const std::string& text) {
    return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// Returns the certificates of the file configured as `key`; reports an unreadable file or one
// without a PEM certificate as an error (empty result).
std::vector<X509Ptr> read_cert_file(const std::string& key, const std::string& path, Report& r) {
    const auto text = read_tls_file(key, path, r);
    if (!text) {
        return {};
    }
    auto bio = memory_bio(*text);
    auto certs = bio ? read_certs(bio.get()) : std::vector<X509Ptr>{};
    if (certs.empty()) {
        r.error(k_sec, key, util::escape_control(path) + " holds no PEM certificate",
                key + " must name a PEM file (-----BEGIN CERTIFICATE-----)");
    }
    return certs;
}

std::string subject(X509* x) {
    char buf[256];
    X509_NAME_oneline(X509_get_subject_name(x), buf, sizeof buf);
    return util::escape_control(buf);
}

// Reports the validity window of one certificate.
void check_expiry(const std::string& what, X509* x, Report& r) {
    int days = 0;
    int secs = 0;
    const std::string name = what + " " + subject(x);
    if (X509_cmp_current_time(X509_get0_notBefore(x)) > 0) {
        r.error(k_sec, "tls.expiry", name + " is not valid yet", "check the system clock and the certificate");
        return;
    }
    ASN1_TIME_diff(&days, &secs, nullptr, X509_get0_notAfter(x));
    if (days < 0 || (days == 0 && secs < 0)) {
        r.error(k_sec, "tls.expiry", name + " has expired", "renew the certificate");
    } else if (days < k_warn_days) {
        r.warning(k_sec, "tls.expiry", name + " expires in " + std::to_string(days) + " days",
                  "renew the certificate soon");
    } else {
        r.ok(k_sec, "tls.expiry", name + " valid for " + std::to_string(days) + " more days");
    }
}

// Returns the CA file's certificates after reporting whether it parses.
std::vector<X509Ptr> check_ca(const std::string& path, Report& r) {
    auto certs = read_cert_file("tls.ca_file", path, r);
    if (certs.empty()) {
        return certs;
    }
    r.ok(k_sec, "tls.ca_file",
         util::escape_control(path) + " holds " + std::to_string(certs.size()) + " certificate(s)");
    for (const auto& c : certs) {
        check_expiry("CA", c.get(), r);
    }
    return certs;
}

void check_chain(X509* leaf, const std::vector<X509Ptr>& cas, Report& r) {
    std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
    for (const auto& ca : cas) {
        X509_STORE_add_cert(store.get(), ca.get());
    }
    std::unique_ptr<X509_STORE_CTX, CtxFree> ctx(X509_STORE_CTX_new());
    X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr);
    if (X509_verify_cert(ctx.get()) == 1) {
        r.ok(k_sec, "tls.client_chain", "client certificate verifies against tls.ca_file");
    } else {
        r.error(k_sec, "tls.client_chain",
                std::string("client certificate does not verify against tls.ca_file: ") +
                    X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get())),
                "use the certificate issued by the backend's CA");
    }
}

void check_client(const config::Config& c, const std::vector<X509Ptr>& cas, Report& r) {
    auto certs = read_cert_file("tls.cert_file", c.tls.cert_file, r);
    if (certs.empty()) {
        return;
    }
    const std::string cert_path = util::escape_control(c.tls.cert_file);
    const std::string key_path = util::escape_control(c.tls.key_file);
    r.ok(k_sec, "tls.cert_file", cert_path + " parses");
    check_expiry("client certificate", certs.front().get(), r);
    if (!cas.empty()) {
        check_chain(certs.front().get(), cas, r);
    }
    if (c.tls.key_file.empty()) {
        r.error(k_sec, "tls.key_file", "tls.cert_file is set but tls.key_file is not", "set tls.key_file");
        return;
    }
    auto text = read_tls_file("tls.key_file", c.tls.key_file, r);
    if (!text) {
        return;
    }
    auto bio = memory_bio(*text);
    // A callback that supplies no passphrase: an encrypted key fails instead of prompting on a TTY.
    pem_password_cb* no_prompt = [](char*, int, int, void*) { return 0; };
    std::unique_ptr<EVP_PKEY, KeyFree> key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_prompt, nullptr)
                                               : nullptr);
    bio.reset();
    OPENSSL_cleanse(text->data(), text->size());
    if (!key) {
        r.error(k_sec, "tls.key_file", key_path + " holds no unencrypted PEM private key",
                "the collector cannot use an encrypted key: write it out with openssl pkey");
    } else if (X509_check_private_key(certs.front().get(), key.get()) != 1) {
        r.error(k_sec, "tls.key_file", key_path + " does not match " + cert_path,
                "use the key the certificate was issued for");
    } else {
        r.ok(k_sec, "tls.key_file", "private key matches the client certificate");
    }
}

void check_server(const config::Config& c, Report& r) {
    const auto resp = http_request(c, c.backend.url, false, "", "", true);
    if (resp.tls_failure) {
        r.error(k_sec, "tls.server_chain", "TLS to the backend failed: " + util::escape_control(resp.error),
                "set tls.ca_file to the CA that issued the backend's certificate");
        return;
    }
    if (!resp.error.empty()) {
        r.skipped(k_sec, "tls.server_chain", "backend unreachable: " + util::escape_control(resp.error));
        return;
    }
    r.ok(k_sec, "tls.server_chain", c.tls.verify ? "backend certificate chain verifies" : "TLS handshake done");
    if (!resp.peer_certs_pem.empty()) {
        const std::string& pem = resp.peer_certs_pem.front();
        auto bio = memory_bio(pem);
        auto certs = bio ? read_certs(bio.get()) : std::vector<X509Ptr>{};
        if (!certs.empty()) {
            check_expiry("backend certificate", certs.front().get(), r);
        }
    }
}

} // namespace

void check_tls(const config::Config& c, Report& r) {
    const bool https = util::starts_with(util::to_lower(c.backend.url), "https://");
    if (!https && c.tls.ca_file.empty() && c.tls.cert_file.empty()) {
        r.skipped(k_sec, "tls", "backend.url is not https and no TLS files are configured");
        return;
    }
    if (!c.tls.verify) {
        r.warning(k_sec, "tls.verify", "TLS verification is OFF", "set tls.verify = true and tls.ca_file");
    }
    std::vector<X509Ptr> cas;
    if (!c.tls.ca_file.empty()) {
        cas = check_ca(c.tls.ca_file, r);
    }
    if (!c.tls.cert_file.empty()) {
        check_client(c, cas, r);
    }
    if (https) {
        check_server(c, r);
    }
}

} // namespace pga::cli::validate

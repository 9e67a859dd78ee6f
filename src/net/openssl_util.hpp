// Small OpenSSL helpers shared by net/'s TLS files (internal to net/): owning pointers, the
// error queue as text, PEM files read into objects with messages that name the file.
#pragma once

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace tern::net::ossl {

struct X509Free { void operator()(X509* p) const { X509_free(p); } };
struct PkeyFree { void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); } };
struct BioFree { void operator()(BIO* p) const { BIO_free(p); } };
struct FileClose { void operator()(std::FILE* f) const { std::fclose(f); } };
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using FilePtr = std::unique_ptr<std::FILE, FileClose>;

// Drains this thread's OpenSSL error queue into one line ("what (reason); ..."), so an old
// error can never leak into a later, unrelated message.
inline std::string take_errors() {
    std::string out;
    while (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (!out.empty()) out += "; ";
        out += buf;
    }
    return out.empty() ? "unknown OpenSSL error" : out;
}

// Opens `path` for reading; on failure `error` says why ("cannot read: No such file ...").
inline FilePtr open_read(const std::filesystem::path& path, std::string& error) {
    FilePtr f(std::fopen(path.c_str(), "rb"));
    if (!f) error = std::string("cannot read: ") + std::strerror(errno);
    return f;
}

// The first certificate of a PEM file (the leaf of a full chain).
inline X509Ptr read_certificate(const std::filesystem::path& path, std::string& error) {
    ERR_clear_error();
    auto f = open_read(path, error);
    if (!f) return nullptr;
    X509Ptr x(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
    if (!x) error = "not a PEM certificate (" + take_errors() + ")";
    return x;
}

inline PkeyPtr read_private_key(const std::filesystem::path& path, std::string& error) {
    ERR_clear_error();
    auto f = open_read(path, error);
    if (!f) return nullptr;
    // A callback that supplies no passphrase: OpenSSL's default one would prompt on the
    // terminal, and a server must fail at start rather than wait for a tty.
    pem_password_cb* no_passphrase = [](char*, int, int, void*) { return 0; };
    PkeyPtr k(PEM_read_PrivateKey(f.get(), nullptr, no_passphrase, nullptr));
    if (!k) error = "not an unencrypted PEM private key (" + take_errors() + ")";
    return k;
}

// The DNS names a certificate is for, lower-cased: its SAN dNSName entries, or, when it has
// none, its subject CN (the fallback RFC 6125 6.4.4 allows and X509_check_host applies).
inline std::vector<std::string> certificate_names(X509* x) {
    std::vector<std::string> names;
    auto lower = [](std::string s) {
        for (auto& c : s)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return s;
    };
    auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr));
    if (sans) {
        for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
            const GENERAL_NAME* g = sk_GENERAL_NAME_value(sans, i);
            if (g->type != GEN_DNS) continue;
            const ASN1_IA5STRING* s = g->d.dNSName;
            names.push_back(lower(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                              static_cast<std::size_t>(ASN1_STRING_length(s)))));
        }
        GENERAL_NAMES_free(sans);
    }
    if (names.empty()) {
        X509_NAME* subject = X509_get_subject_name(x);
        int i = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
        if (i >= 0) {
            ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
            unsigned char* utf8 = nullptr;
            int n = ASN1_STRING_to_UTF8(&utf8, cn);
            if (n > 0) names.push_back(lower(std::string(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n))));
            OPENSSL_free(utf8);
        }
    }
    return names;
}

// "2026-05-01" for a certificate time, for messages.
inline std::string date_text(const ASN1_TIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return "?";
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

}  // namespace tern::net::ossl

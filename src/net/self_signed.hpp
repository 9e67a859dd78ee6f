// The self-signed certificate Tern uses when [tls] names none: generated once for the server's
// hostname into <data_dir>/tls/, reused on later starts, regenerated when it is unreadable,
// expires within 30 days, or no longer names the hostname.
//
// Good enough for opportunistic STARTTLS between MTAs (RFC 3207 4.1: most senders do not
// verify), and it keeps the "no configuration" start working. Submission clients will warn:
// configure a real certificate for them. Deliberately left out: ACME.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

namespace tern::net {

// Generates an EC P-256 key and a self-signed X.509 v3 certificate for `hostname` (subject CN
// and SAN DNS:hostname, random 128-bit serial, SHA-256, serverAuth), valid from one day ago
// for `valid_for` (a negative value gives an already expired certificate — for tests). Both
// files are written atomically (temp file, fsync, rename, fsync of the directory); the key
// with mode 0600. Returns false and sets `error` on failure.
bool write_self_signed(const std::string& hostname, const std::filesystem::path& certificate,
                       const std::filesystem::path& private_key,
                       std::chrono::seconds valid_for, std::string& error);

// One year, as the brief of a self-signed certificate goes; renewed 30 days before it ends.
inline constexpr std::chrono::seconds kSelfSignedValidity{365 * 24 * 3600};
inline constexpr std::chrono::seconds kSelfSignedRenewBefore{30 * 24 * 3600};

struct SelfSigned {
    std::filesystem::path certificate;  // <dir>/selfsigned.crt
    std::filesystem::path private_key;  // <dir>/selfsigned.key
    bool generated = false;             // false: an existing, still valid pair was reused
    std::string message;                // for the log: what was done and why
    std::string error;                  // set on failure (then the paths are not usable)
};

// Reuses <dir>/selfsigned.{crt,key} when both are readable, match each other, name
// `hostname` and stay valid for at least 30 more days; otherwise (re)generates them. Creates
// `dir` (mode 0700) when missing.
SelfSigned ensure_self_signed(const std::string& hostname, const std::filesystem::path& dir);

}  // namespace tern::net

// The DKIM signing keys of the local domains ([dkim] in the config) and the signing of
// submitted mail with them.
//
// Keys are PEM files <data_dir>/dkim/<domain>/<selector>-<alg>.pem (mode 0600). load() reads
// those the config names and, when asked, makes the missing ones (RSA 2048 or Ed25519), written
// to a temporary file, fsynced and renamed, never over an existing key. A file that cannot be
// read or is not a key of the right type is an error naming the file: that domain's mail then
// goes out unsigned (the server logs it), it does not stop the server.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "dkim/keys.hpp"

namespace tern::server {

struct DkimKey {
    std::string selector;  // "<selector>-<alg>"
    dkim::PrivateKey key;
};

// The selector name for an algorithm: "tern" + rsa -> "tern-rsa".
std::string dkim_selector(std::string_view selector, std::string_view algorithm);
std::filesystem::path dkim_key_path(const config::Config& c, std::string_view domain, std::string_view selector);

// Reads the key at `path`, or with `create` makes one when the file does not exist.
// nullopt and *error (naming the file) otherwise; *created tells whether it was made now.
std::optional<dkim::PrivateKey> load_or_create_dkim_key(const std::filesystem::path& path, dkim::Algorithm alg,
                                                        bool create, std::string* error, bool* created = nullptr);

class DkimKeyring {
public:
    // The keys of every local domain for the configured selector and algorithms. Problems go
    // to *errors, one line each; `made` gets a line per key generated.
    static std::shared_ptr<const DkimKeyring> load(const config::Config& c, bool create_missing,
                                                   std::vector<std::string>* errors, std::vector<std::string>* made);

    // The DKIM-Signature fields to prepend to `message` (one per key of its From: domain), or
    // "" when signing is off or no From: domain has keys.
    std::string sign(std::string_view message, std::int64_t now) const;

    const std::vector<DkimKey>* keys_for(std::string_view domain) const;

private:
    std::map<std::string, std::vector<DkimKey>> keys_;  // lower-cased domain -> keys
};

}  // namespace tern::server

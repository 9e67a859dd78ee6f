#include "server/dkim_keyring.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/address.hpp"
#include "dkim/signer.hpp"
#include "message/from_addresses.hpp"

namespace tern::server {
namespace {

bool write_new_file(const std::filesystem::path& path, const std::string& data, std::string* error) {
    std::error_code ec;
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
        *error = path.parent_path().string() + ": " + ec.message();
        return false;
    }
    auto tmp = path;
    tmp += ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    bool ok = fd >= 0 && ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) && ::fsync(fd) == 0;
    int saved = errno;
    if (fd >= 0) ::close(fd);
    // link() instead of rename(): it fails when the key exists, so a key is never replaced.
    if (ok && ::link(tmp.c_str(), path.c_str()) != 0) {
        saved = errno;
        ok = false;
    }
    ::unlink(tmp.c_str());
    if (!ok) {
        *error = path.string() + ": cannot write the DKIM key: " + std::strerror(saved);
        return false;
    }
    int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
    return true;
}

}  // namespace

std::string dkim_selector(std::string_view selector, std::string_view algorithm) {
    return std::string(selector) + "-" + std::string(algorithm);
}

std::filesystem::path dkim_key_path(const config::Config& c, std::string_view domain, std::string_view selector) {
    return c.dkim_dir() / std::string(domain) / (std::string(selector) + ".pem");
}

std::optional<dkim::PrivateKey> load_or_create_dkim_key(const std::filesystem::path& path, dkim::Algorithm alg,
                                                        bool create, std::string* error, bool* created) {
    if (created) *created = false;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (errno != ENOENT || !create) {
            *error = path.string() + ": cannot read the DKIM key: " + std::strerror(errno);
            return std::nullopt;
        }
        auto key = dkim::PrivateKey::generate(alg);
        if (!write_new_file(path, key.to_pem(), error)) return std::nullopt;
        if (created) *created = true;
        return key;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    std::string why;
    auto key = dkim::PrivateKey::from_pem(ss.str(), &why);
    if (!key) {
        *error = path.string() + ": " + why;
        return std::nullopt;
    }
    if (key->algorithm() != alg) {
        *error = path.string() + ": the key is not " + std::string(dkim::key_type_name(alg));
        return std::nullopt;
    }
    return key;
}

std::shared_ptr<const DkimKeyring> DkimKeyring::load(const config::Config& c, bool create_missing,
                                                     std::vector<std::string>* errors, std::vector<std::string>* made) {
    auto ring = std::make_shared<DkimKeyring>();
    if (!c.dkim.sign) return ring;
    for (const auto& domain : c.server.domains) {
        if (!is_safe_path_component(domain)) {
            errors->push_back("dkim: domain '" + domain + "' cannot name a key directory");
            continue;
        }
        for (const auto& alg : c.dkim.algorithms) {
            std::string selector = dkim_selector(c.dkim.selector, alg);
            auto path = dkim_key_path(c, domain, selector);
            std::string error;
            bool created = false;
            auto type = dkim::parse_key_type(alg);
            if (!type) continue;  // the config accepts only known names
            auto key = load_or_create_dkim_key(path, *type, create_missing, &error, &created);
            if (!key) {
                errors->push_back(error);
                continue;
            }
            if (created && made) made->push_back("made DKIM key " + path.string());
            ring->keys_[domain].push_back(DkimKey{selector, std::move(*key)});
        }
    }
    return ring;
}

const std::vector<DkimKey>* DkimKeyring::keys_for(std::string_view domain) const {
    auto it = keys_.find(ascii_lower(domain));
    return it == keys_.end() ? nullptr : &it->second;
}

std::string DkimKeyring::sign(std::string_view message, std::int64_t now) const {
    if (keys_.empty()) return {};
    // The first From: address of a domain we hold keys for (DMARC aligns on From:).
    for (const auto& from : message::from_addresses(message)) {
        auto at = from.rfind('@');
        if (at == std::string::npos) continue;
        std::string domain = ascii_lower(std::string_view(from).substr(at + 1));
        const auto* keys = keys_for(domain);
        if (!keys) continue;
        std::vector<dkim::SigningKey> signing;
        for (const auto& k : *keys) signing.push_back(dkim::SigningKey{&k.key, k.selector});
        dkim::SignOptions o;
        o.domain = domain;
        o.timestamp = now;
        return dkim::sign(message, signing, o);
    }
    return {};
}

}  // namespace tern::server

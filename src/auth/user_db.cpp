// Users file parsing and the in-memory snapshot: see user_db.hpp.
#include "auth/user_db.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "auth/password.hpp"
#include "core/address.hpp"

namespace tern::auth {
namespace {

std::vector<std::string_view> split_tabs(std::string_view line) {
    std::vector<std::string_view> out;
    while (true) {
        auto tab = line.find('\t');
        out.push_back(line.substr(0, tab));
        if (tab == std::string_view::npos) break;
        line.remove_prefix(tab + 1);
    }
    return out;
}

}  // namespace

UserAddress check_user_address(std::string_view address) {
    auto a = parse_mailbox(address);
    if (!a) return {{}, "'" + std::string(address) + "' is not a valid address"};
    if (!address.empty() && address.front() == '"')
        return {{}, "'" + std::string(address) + "': quoted local parts are not supported for users"};
    if (a->is_address_literal())
        return {{}, "'" + std::string(address) + "': the domain must be a name, not an address literal"};
    if (!is_safe_path_component(a->local) || !is_safe_path_component(a->domain))
        return {{}, "'" + std::string(address) + "' cannot name a mailbox (no '/' or '\\' allowed)"};
    return {a->key(), {}};
}

User make_user(std::string key, std::string_view password) {
    User u;
    u.address = std::move(key);
    u.password_hash = hash_password(password);
    u.scram = make_scram_sha256(password);
    return u;
}

UserDbLoad UserDb::parse(std::string_view text, std::string_view source) {
    UserDbLoad result;
    UserDb db;
    std::map<std::string, std::size_t> first_line;
    auto error = [&](std::size_t line, const std::string& what) {
        result.errors.push_back(std::string(source) + ":" + std::to_string(line) + ": " + what);
    };
    if (text.empty()) {
        result.db = std::move(db);
        return result;
    }
    std::size_t line_no = 0;
    while (!text.empty()) {
        ++line_no;
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (line_no == 1) {
            if (line != kUsersHeader) {
                error(1, "not a Tern users file (expected first line \"" + std::string(kUsersHeader) + "\")");
                return result;  // nothing else can be trusted
            }
            continue;
        }
        auto fields = split_tabs(line);
        if (fields.size() != 3) {
            error(line_no, "expected 3 tab-separated fields (address, argon2id hash, scram secret), found " +
                               std::to_string(fields.size()));
            continue;
        }
        auto addr = check_user_address(fields[0]);
        if (!addr.error.empty()) {
            error(line_no, addr.error);
            continue;
        }
        if (addr.key != fields[0]) {
            error(line_no, "address '" + std::string(fields[0]) + "' is not lower-case");
            continue;
        }
        if (!fields[1].starts_with("$argon2id$")) {
            error(line_no, "password hash is not an $argon2id$ string");
            continue;
        }
        auto scram = parse_scram_secret(fields[2]);
        if (!scram) {
            error(line_no, "malformed SCRAM-SHA-256 secret (want salt:iterations:StoredKey:ServerKey)");
            continue;
        }
        auto [it, fresh] = first_line.emplace(addr.key, line_no);
        if (!fresh) {
            error(line_no, "user '" + addr.key + "' already defined on line " + std::to_string(it->second));
            continue;
        }
        db.users_.emplace(addr.key, User{addr.key, std::string(fields[1]), std::move(*scram)});
    }
    if (result.errors.empty()) result.db = std::move(db);
    return result;
}

UserDbLoad UserDb::load(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return {UserDb{}, {}};
        return {std::nullopt, {path.string() + ": cannot read: " + std::strerror(errno)}};
    }
    std::string text;
    char buf[65536];
    while (true) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            ::close(fd);
            return {std::nullopt, {path.string() + ": cannot read: " + std::strerror(err)}};
        }
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return parse(text, path.string());
}

const User* UserDb::find(std::string_view address) const {
    auto it = users_.find(ascii_lower(address));
    return it == users_.end() ? nullptr : &it->second;
}

bool UserDb::verify_password(std::string_view address, std::string_view password) const {
    // The length check depends only on the password, never on whether the user exists.
    if (password.empty() || password.size() > kMaxPasswordBytes) return false;
    const User* u = find(address);
    bool ok = verify_password_hash(u ? std::string_view(u->password_hash) : dummy_password_hash(), password);
    return ok && u != nullptr;
}

std::vector<std::string> UserDb::list() const {
    std::vector<std::string> out;
    out.reserve(users_.size());
    for (auto& [key, user] : users_) out.push_back(key);
    return out;
}

std::string UserDb::add(User user) {
    if (users_.count(user.address)) return "user '" + user.address + "' already exists";
    auto key = user.address;
    users_.emplace(std::move(key), std::move(user));
    return {};
}

std::string UserDb::replace(User user) {
    auto it = users_.find(user.address);
    if (it == users_.end()) return "no such user '" + user.address + "'";
    it->second = std::move(user);
    return {};
}

std::string UserDb::remove(std::string_view address) {
    auto it = users_.find(ascii_lower(address));
    if (it == users_.end()) return "no such user '" + std::string(address) + "'";
    users_.erase(it);
    return {};
}

std::string UserDb::serialize() const {
    std::string out(kUsersHeader);
    out += '\n';
    for (auto& [key, u] : users_) {
        out += u.address;
        out += '\t';
        out += u.password_hash;
        out += '\t';
        out += format_scram_secret(u.scram);
        out += '\n';
    }
    return out;
}

}  // namespace tern::auth

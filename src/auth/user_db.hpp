// The users file and an immutable, parsed snapshot of it.
//
// Format (version 1), UTF-8 text, one record per line, LF line ends:
//
//   # tern users v1
//   alice@example.test<TAB>$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash><TAB><scram>
//
// where <scram> is "salt(base64):iterations:StoredKey(base64):ServerKey(base64)" (see
// scram.hpp). The first line is the version header; every later line is a record (no
// comments, no blank lines: the file is written by `tern user`, not by hand). Addresses are
// stored lower-cased and unique. A zero-byte file is an empty database. The plain password
// is never stored.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/scram.hpp"

namespace tern::auth {

inline constexpr std::string_view kUsersHeader = "# tern users v1";

struct User {
    std::string address;        // lower-cased "local@domain" (Address::key())
    std::string password_hash;  // Argon2id, PHC string form
    ScramSecret scram;          // SCRAM-SHA-256 server secret

    friend bool operator==(const User&, const User&) = default;
};

// The lower-cased key of a user address, or the reason it cannot be one: an ASCII dot-atom
// local part (no quoting) and a domain name (no address literal), each usable as a single
// path component (the mailbox store names directories after them).
struct UserAddress {
    std::string key;
    std::string error;  // empty when valid
};
UserAddress check_user_address(std::string_view address);

// Builds a user record: hashes `password` with Argon2id and derives its SCRAM secret.
// The address must already be a valid key; the password must pass password_problem().
User make_user(std::string key, std::string_view password);

struct UserDbLoad;

class UserDb {
public:
    UserDb() = default;

    // Parses the text of a users file; `source` names it in errors.
    static UserDbLoad parse(std::string_view text, std::string_view source);
    // Reads and parses `path`; a missing file is an empty database.
    static UserDbLoad load(const std::filesystem::path& path);

    bool contains(std::string_view key) const { return find(key) != nullptr; }
    // Lookup by address; ASCII case is ignored.
    const User* find(std::string_view address) const;
    // True only when `address` is a user and `password` is theirs. Costs one Argon2id
    // verification whether or not the user exists (unknown users are checked against a
    // dummy hash), and answers the same for "no such user" and "wrong password".
    bool verify_password(std::string_view address, std::string_view password) const;
    // User addresses, sorted.
    std::vector<std::string> list() const;
    const std::map<std::string, User>& users() const { return users_; }
    std::size_t size() const { return users_.size(); }

    // Mutations (for the CLI's read-modify-write; a published snapshot is never changed).
    // Each returns an error text, empty on success.
    std::string add(User user);       // error if the address exists
    std::string replace(User user);   // error if the address does not exist
    std::string remove(std::string_view address);  // error if absent

    // The users file text, header included; parse(serialize()) gives back an equal db.
    std::string serialize() const;

    friend bool operator==(const UserDb&, const UserDb&) = default;

private:
    std::map<std::string, User> users_;
};

struct UserDbLoad {
    std::optional<UserDb> db;         // set when there were no errors
    std::vector<std::string> errors;  // "FILE:LINE: what is wrong"
};

}  // namespace tern::auth

// Tests for auth/user_db and auth/user_store: the users file format, parsing errors with
// line numbers, password verification, and locked atomic add/del/passwd in a temp dir.
#include "auth/user_db.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "auth/password.hpp"
#include "support/temp_dir.hpp"
#include "auth/user_store.hpp"

namespace tern::auth {
namespace {

using test::read_file;
using test::TempDir;
using test::write_file;

std::string joined(const std::vector<std::string>& v) {
    std::string out;
    for (auto& s : v) out += s + "\n";
    return out;
}

// A record with a real SCRAM secret but a placeholder hash (no Argon2 cost in parse tests).
std::string record(const std::string& address) {
    return address + "\t$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA\t" +
           format_scram_secret(derive_scram_sha256("pw", "saltsalt", 4096)) + "\n";
}

TEST(UserAddress, Rules) {
    EXPECT_EQ(check_user_address("Alice@Example.TEST").key, "alice@example.test");
    EXPECT_NE(check_user_address("alice").error, "");
    EXPECT_NE(check_user_address("\"a b\"@example.test").error, "");
    EXPECT_NE(check_user_address("a@[127.0.0.1]").error, "");
    EXPECT_NE(check_user_address("a/b@example.test").error, "");
    EXPECT_NE(check_user_address("a@b\t@example.test").error, "");
}

TEST(UserDb, FormatRoundTrip) {
    UserDb db;
    ASSERT_EQ(db.add(make_user("bob@example.test", "hunter2")), "");
    ASSERT_EQ(db.add(make_user("alice@example.test", "pencil")), "");
    auto text = db.serialize();
    EXPECT_TRUE(text.starts_with("# tern users v1\nalice@example.test\t$argon2id$")) << text;
    auto again = UserDb::parse(text, "users");
    ASSERT_TRUE(again.db) << joined(again.errors);
    EXPECT_EQ(*again.db, db);
    EXPECT_EQ(again.db->list(), (std::vector<std::string>{"alice@example.test", "bob@example.test"}));
    EXPECT_EQ(again.db->serialize(), text);
}

TEST(UserDb, VerifyPassword) {
    UserDb db;
    ASSERT_EQ(db.add(make_user("alice@example.test", "pencil")), "");
    EXPECT_TRUE(db.verify_password("alice@example.test", "pencil"));
    EXPECT_TRUE(db.verify_password("ALICE@Example.Test", "pencil"));  // address case ignored
    EXPECT_FALSE(db.verify_password("alice@example.test", "Pencil"));
    EXPECT_FALSE(db.verify_password("alice@example.test", ""));
    EXPECT_FALSE(db.verify_password("nobody@example.test", "pencil"));
    EXPECT_FALSE(db.verify_password("nobody@example.test", "tern-dummy-password-for-unknown-users"));
    EXPECT_FALSE(db.verify_password("alice@example.test", std::string(kMaxPasswordBytes + 1, 'x')));
}

TEST(UserDb, ContainsFindAndMutations) {
    UserDb db;
    ASSERT_EQ(db.add(make_user("a@x.test", "1")), "");
    EXPECT_NE(db.add(make_user("a@x.test", "2")), "");
    EXPECT_TRUE(db.contains("A@X.test"));
    ASSERT_NE(db.find("a@x.test"), nullptr);
    EXPECT_EQ(db.find("a@x.test")->address, "a@x.test");
    EXPECT_NE(db.replace(make_user("b@x.test", "1")), "");
    EXPECT_NE(db.remove("b@x.test"), "");
    EXPECT_EQ(db.remove("A@x.test"), "");
    EXPECT_EQ(db.size(), 0u);
}

TEST(UserDb, EmptyAndHeaderOnly) {
    auto empty = UserDb::parse("", "users");
    ASSERT_TRUE(empty.db);
    EXPECT_EQ(empty.db->size(), 0u);
    auto header = UserDb::parse("# tern users v1\n", "users");
    ASSERT_TRUE(header.db) << joined(header.errors);
    EXPECT_EQ(header.db->size(), 0u);
}

TEST(UserDb, CorruptLinesReportedWithLineNumbers) {
    std::string text = "# tern users v1\n" + record("a@x.test") + "garbage line\n" + record("B@x.test") +
                       "c@x.test\tnot-argon\t" + format_scram_secret(derive_scram_sha256("p", "s", 4096)) +
                       "\n" + "d@x.test\t$argon2id$v=19$x\tnot-scram\n" + record("a@x.test") + "\n";
    auto r = UserDb::parse(text, "/data/users");
    EXPECT_FALSE(r.db);
    ASSERT_EQ(r.errors.size(), 6u) << joined(r.errors);
    EXPECT_EQ(r.errors[0].rfind("/data/users:3: expected 3 tab-separated fields", 0), 0u) << r.errors[0];
    EXPECT_EQ(r.errors[1], "/data/users:4: address 'B@x.test' is not lower-case");
    EXPECT_EQ(r.errors[2], "/data/users:5: password hash is not an $argon2id$ string");
    EXPECT_EQ(r.errors[3].rfind("/data/users:6: malformed SCRAM-SHA-256 secret", 0), 0u);
    EXPECT_EQ(r.errors[4], "/data/users:7: user 'a@x.test' already defined on line 2");
    EXPECT_EQ(r.errors[5].rfind("/data/users:8: expected 3", 0), 0u);  // blank line
}

TEST(UserDb, WrongHeader) {
    auto r = UserDb::parse("# tern users v2\n" + record("a@x.test"), "users");
    EXPECT_FALSE(r.db);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].rfind("users:1: not a Tern users file", 0), 0u);
}

TEST(UserDb, LoadMissingFileIsEmpty) {
    TempDir dir;
    auto r = UserDb::load(dir.path() / "users");
    ASSERT_TRUE(r.db);
    EXPECT_EQ(r.db->size(), 0u);
}

TEST(UserStore, AddListDelPasswd) {
    TempDir dir;
    auto users = dir.path() / "data" / "users";  // data dir does not exist yet
    ASSERT_EQ(add_user(users, "Alice@Example.test", "pencil"), "");
    ASSERT_EQ(add_user(users, "bob@example.test", "hunter2"), "");
    EXPECT_NE(add_user(users, "alice@example.test", "other"), "");  // exists
    EXPECT_NE(add_user(users, "carol@example.test", ""), "");
    EXPECT_NE(add_user(users, "carol@example.test", std::string(kMaxPasswordBytes + 1, 'x')), "");
    EXPECT_NE(add_user(users, "not an address", "pw"), "");

    struct stat st{};
    ASSERT_EQ(::stat(users.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(::stat((dir.path() / "data").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "data" / "users.lock"));
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "data" / "users.tmp"));
    EXPECT_EQ(read_file(users).find("pencil"), std::string::npos);  // never in clear

    auto r = UserDb::load(users);
    ASSERT_TRUE(r.db) << joined(r.errors);
    EXPECT_EQ(r.db->list(), (std::vector<std::string>{"alice@example.test", "bob@example.test"}));
    EXPECT_TRUE(r.db->verify_password("alice@example.test", "pencil"));

    ASSERT_EQ(set_password(users, "ALICE@example.test", "crayon"), "");
    EXPECT_NE(set_password(users, "nobody@example.test", "crayon"), "");
    r = UserDb::load(users);
    ASSERT_TRUE(r.db);
    EXPECT_FALSE(r.db->verify_password("alice@example.test", "pencil"));
    EXPECT_TRUE(r.db->verify_password("alice@example.test", "crayon"));
    EXPECT_TRUE(r.db->verify_password("bob@example.test", "hunter2"));

    ASSERT_EQ(delete_user(users, "bob@example.test"), "");
    EXPECT_NE(delete_user(users, "bob@example.test"), "");
    r = UserDb::load(users);
    ASSERT_TRUE(r.db);
    EXPECT_EQ(r.db->list(), std::vector<std::string>{"alice@example.test"});
}

TEST(UserStore, RefusesToRewriteCorruptFile) {
    TempDir dir;
    auto users = dir.path() / "users";
    write_file(users, "# tern users v1\nbroken\n");
    auto e = add_user(users, "a@x.test", "pw");
    EXPECT_NE(e.find("damaged"), std::string::npos) << e;
    EXPECT_NE(e.find(":2:"), std::string::npos) << e;
    EXPECT_EQ(read_file(users), "# tern users v1\nbroken\n");
}

}  // namespace
}  // namespace tern::auth

// Mailbox paths: network text becomes a path only through mailbox_path, so hostile names
// must get no path at all.
#include "store/mailbox_path.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace tern;
using tern::store::mailbox_path;

namespace {
const std::filesystem::path kRoot = "/srv/mail";
}

TEST(MailboxPath, LowerCasesBothParts) {
    auto p = mailbox_path(kRoot, Address{"Alice.Smith", "Example.TEST"});
    ASSERT_TRUE(p);
    EXPECT_EQ(*p, std::filesystem::path("/srv/mail/example.test/alice.smith"));
}

TEST(MailboxPath, FromKey) {
    auto p = mailbox_path(kRoot, std::string_view("bob@example.test"));
    ASSERT_TRUE(p);
    EXPECT_EQ(*p, std::filesystem::path("/srv/mail/example.test/bob"));
    // A quoted local part may hold '@': the key splits at the last one.
    p = mailbox_path(kRoot, std::string_view("a@b@example.test"));
    ASSERT_TRUE(p);
    EXPECT_EQ(*p, std::filesystem::path("/srv/mail/example.test/a@b"));
    EXPECT_FALSE(mailbox_path(kRoot, std::string_view("no-at-sign")));
    EXPECT_FALSE(mailbox_path(kRoot, std::string_view("@example.test")));
    EXPECT_FALSE(mailbox_path(kRoot, std::string_view("bob@")));
    EXPECT_FALSE(mailbox_path(kRoot, std::string_view("../x@example.test")));
    EXPECT_FALSE(mailbox_path(kRoot, std::string_view("bob@..")));
}

TEST(MailboxPath, AcceptsUtf8AndOrdinaryNames) {
    for (std::string ok : std::vector<std::string>{"alice", "a.b", "a+b", "a-b_c", "j\xC3\xB6rg", "x\xE2\x82\xAC", "a..b",
                           "a@b", std::string(255, 'a')}) {
        EXPECT_TRUE(mailbox_path(kRoot, Address{ok, "example.test"})) << ok;
        EXPECT_TRUE(mailbox_path(kRoot, Address{"alice", ok})) << ok;
    }
}

TEST(MailboxPath, RejectsHostileParts) {
    const std::string hostile[] = {
        "",                       // empty
        ".",  "..",               // the directory itself, its parent
        "../x", "a/../../etc",    // traversal
        "a/b", "/abs",            // separators
        ".hidden", ".Sent",       // leading dot (also Maildir++ folders)
        std::string("a\0b", 3),   // NUL
        "a\nb", "a\rb", "\t", "a\x1b[31m", "a\x7f",  // control bytes
        "a\\b",                   // backslash
        "\xC0\xAF",               // overlong '/'
        "\xC0\xAE\xC0\xAE",       // overlong ".."
        "\xFF", "a\x80", "\xE2\x82",  // invalid or truncated UTF-8
        "\xED\xA0\x80",           // surrogate
        std::string(256, 'a'),    // longer than a file name may be
    };
    for (const auto& bad : hostile) {
        EXPECT_FALSE(mailbox_path(kRoot, Address{bad, "example.test"})) << "local: " << bad;
        EXPECT_FALSE(mailbox_path(kRoot, Address{"alice", bad})) << "domain: " << bad;
        EXPECT_FALSE(store::is_safe_mailbox_component(bad)) << bad;
    }
}

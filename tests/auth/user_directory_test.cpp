// Tests for auth/user_directory: a running server sees `tern user` changes, keeps the last
// good snapshot on a broken file, and treats a missing file as no users. The clock is fake:
// no sleeping.
#include "auth/user_directory.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "support/temp_dir.hpp"
#include "auth/user_store.hpp"

namespace tern::auth {
namespace {

using namespace std::chrono_literals;
using test::TempDir;
using test::write_file;

struct FakeClock {
    std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
    UserDirectory::Clock fn() {
        return [this] { return now; };
    }
};

TEST(UserDirectory, PicksUpChangesAtMostOncePerInterval) {
    TempDir dir;
    auto users = dir.path() / "users";
    FakeClock clock;
    UserDirectory d(users, 1s, clock.fn());
    EXPECT_EQ(d.last_error(), "");
    EXPECT_EQ(d.current()->size(), 0u);  // missing file: no users

    ASSERT_EQ(add_user(users, "alice@example.test", "pencil"), "");
    clock.now += 500ms;
    EXPECT_EQ(d.current()->size(), 0u);  // not re-stat'ed yet
    clock.now += 500ms;
    auto snap = d.current();
    EXPECT_EQ(snap->list(), std::vector<std::string>{"alice@example.test"});
    EXPECT_TRUE(d.verify_password("Alice@example.test", "pencil"));
    EXPECT_TRUE(d.user_exists("alice@example.test"));
    auto secret = d.scram_secret("alice@example.test");
    ASSERT_TRUE(secret);
    EXPECT_EQ(*secret, derive_scram_sha256("pencil", secret->salt, secret->iterations));
    EXPECT_FALSE(d.scram_secret("bob@example.test"));

    // Unchanged file: the same snapshot object.
    clock.now += 2s;
    EXPECT_EQ(d.current(), snap);

    // A broken file keeps the old snapshot and reports the error with its line.
    write_file(users, "# tern users v1\nbad line here\n");
    clock.now += 1s;
    EXPECT_EQ(d.current(), snap);
    EXPECT_NE(d.last_error().find(users.string() + ":2:"), std::string::npos) << d.last_error();
    clock.now += 1s;
    EXPECT_EQ(d.current(), snap);  // still broken, still the old users

    // Fixing it recovers.
    std::filesystem::remove(users);
    ASSERT_EQ(add_user(users, "bob@example.test", "hunter2"), "");
    clock.now += 1s;
    EXPECT_EQ(d.current()->list(), std::vector<std::string>{"bob@example.test"});
    EXPECT_EQ(d.last_error(), "");

    // Deleting the file means no users.
    std::filesystem::remove(users);
    clock.now += 1s;
    EXPECT_EQ(d.current()->size(), 0u);
}

TEST(UserDirectory, ReloadNowIgnoresTheInterval) {
    TempDir dir;
    auto users = dir.path() / "users";
    FakeClock clock;
    UserDirectory d(users, 1h, clock.fn());
    ASSERT_EQ(add_user(users, "alice@example.test", "pencil"), "");
    EXPECT_EQ(d.current()->size(), 0u);
    EXPECT_TRUE(d.reload_now());
    EXPECT_EQ(d.current()->size(), 1u);
    write_file(users, "nonsense\n");
    EXPECT_FALSE(d.reload_now());
    EXPECT_EQ(d.current()->size(), 1u);
    EXPECT_NE(d.last_error(), "");
}

TEST(UserDirectory, InPlaceEditWithSameInodeIsNoticed) {
    TempDir dir;
    auto users = dir.path() / "users";
    ASSERT_EQ(add_user(users, "alice@example.test", "pencil"), "");
    FakeClock clock;
    UserDirectory d(users, 1s, clock.fn());
    ASSERT_EQ(d.current()->size(), 1u);
    // Rewrite in place (same inode, different size): a hand edit.
    write_file(users, "# tern users v1\n");
    clock.now += 1s;
    EXPECT_EQ(d.current()->size(), 0u);
}

TEST(UserDirectory, BrokenAtStartIsEmptyWithError) {
    TempDir dir;
    auto users = dir.path() / "users";
    write_file(users, "junk\n");
    UserDirectory d(users);
    EXPECT_EQ(d.current()->size(), 0u);
    EXPECT_NE(d.last_error().find(":1:"), std::string::npos) << d.last_error();
}

TEST(UserDirectory, RealClockConcurrentReaders) {
    TempDir dir;
    auto users = dir.path() / "users";
    ASSERT_EQ(add_user(users, "alice@example.test", "pencil"), "");
    UserDirectory d(users, 0s);  // re-stat on every call
    std::vector<std::thread> threads;
    std::atomic<int> seen{0};
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 200; ++i) seen += d.current()->contains("alice@example.test") ? 1 : 0;
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(seen.load(), 800);
}

}  // namespace
}  // namespace tern::auth

// Shared by the spool tests: envelopes and bodies to store, options, and checks.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "queue/format.hpp"
#include "queue/spool.hpp"
#include "support/temp_dir.hpp"

namespace tern::queue::test {

namespace fs = std::filesystem;
using tern::test::read_file;
using tern::test::TempDir;
using tern::test::write_file;

inline Envelope make_envelope(int n, int recipients = 2) {
    Envelope e;
    e.mail_from = "sender" + std::to_string(n) + "@example.test";
    for (int i = 0; i < recipients; ++i)
        e.recipients.push_back({"rcpt" + std::to_string(i) + "@example.test",
                                static_cast<std::uint8_t>(i % 2 ? kNotifyNever : kNotifyFailure),
                                i % 2 ? "" : "rfc822;orig" + std::to_string(i) + "@example.test"});
    e.ret = DsnRet::Full;
    e.envid = "envid-" + std::to_string(n);
    e.body = BodyType::EightBitMime;
    e.smtputf8 = n % 2 == 0;
    e.received_at = 1700000000 + n;
    e.helo = "client.example.test";
    e.client_address = "192.0.2." + std::to_string(n % 250);
    e.auth_user = n % 3 ? "" : "user" + std::to_string(n);
    return e;
}

inline std::string make_body(int n, std::size_t size = 1024) {
    std::string s = "Subject: message " + std::to_string(n) + "\r\n\r\n";
    while (s.size() < size) s += "line of text " + std::to_string(n) + "\r\n";
    s.resize(size);
    return s;
}

inline Spool::Options options(const fs::path& dir) {
    Spool::Options o;
    o.dir = dir;
    o.min_free_bytes = 0;
    return o;
}

inline std::unique_ptr<Spool> open_ok(Spool::Options o) {
    std::string err;
    auto s = Spool::open(std::move(o), err);
    EXPECT_TRUE(s) << err;
    return s;
}


inline std::vector<fs::path> segment_files(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& de : fs::directory_iterator(dir))
        if (format::parse_segment_file_name(de.path().filename().string())) out.push_back(de.path());
    std::sort(out.begin(), out.end());
    return out;
}



inline void expect_same_envelope(const Envelope& a, const Envelope& b) {
    EXPECT_EQ(a.mail_from, b.mail_from);
    ASSERT_EQ(a.recipients.size(), b.recipients.size());
    for (std::size_t i = 0; i < a.recipients.size(); ++i) {
        EXPECT_EQ(a.recipients[i].address, b.recipients[i].address);
        EXPECT_EQ(a.recipients[i].notify, b.recipients[i].notify);
        EXPECT_EQ(a.recipients[i].orcpt, b.recipients[i].orcpt);
    }
    EXPECT_EQ(a.ret, b.ret);
    EXPECT_EQ(a.envid, b.envid);
    EXPECT_EQ(a.body, b.body);
    EXPECT_EQ(a.smtputf8, b.smtputf8);
    EXPECT_EQ(a.received_at, b.received_at);
    EXPECT_EQ(a.helo, b.helo);
    EXPECT_EQ(a.client_address, b.client_address);
    EXPECT_EQ(a.auth_user, b.auth_user);
}

inline bool is_storage_failure(const CommitResult& r) {
    return r.outcome.is_temporary() && r.outcome.code == 452 && r.outcome.enhanced == "4.3.1" &&
           r.id.empty();
}

inline CommitResult commit_sync(Spool& s, Envelope e, std::string prefix, std::string data) {
    return s.commit_and_wait(std::move(e), std::move(prefix), std::move(data));
}

}  // namespace tern::queue::test

// The spool's byte formats: CRC-32C, record framing, envelope and state-record encodings, ids.
#include "queue/format.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "core/crc32c.hpp"

using namespace tern;
using namespace tern::queue;

TEST(Crc32c, KnownVectors) {
    // RFC 3720 B.4 check value and test patterns.
    EXPECT_EQ(crc32c("123456789", 9), 0xE3069283u);
    std::string zeros(32, '\0'), ones(32, '\xff');
    EXPECT_EQ(crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);
    EXPECT_EQ(crc32c(ones.data(), ones.size()), 0x62A8AB43u);
    EXPECT_EQ(crc32c_portable(0, "123456789", 9), 0xE3069283u);
}

TEST(Crc32c, ExtendEqualsWholeAndPortableAgrees) {
    std::string s;
    for (int i = 0; i < 1000; ++i) s.push_back(static_cast<char>(i * 7 + 3));
    for (std::size_t cut : {0u, 1u, 7u, 8u, 9u, 500u, 999u, 1000u}) {
        EXPECT_EQ(crc32c_extend(crc32c(s.data(), cut), s.data() + cut, s.size() - cut),
                  crc32c(s.data(), s.size()));
        EXPECT_EQ(crc32c_portable(0, s.data(), cut), crc32c(s.data(), cut));
    }
}

TEST(Format, EnvelopeRoundTripsEveryField) {
    Envelope e;
    e.mail_from = "bounce+x@example.test";
    e.recipients = {{"alice@example.test", kNotifySuccess | kNotifyFailure, "rfc822;alice@example.test"},
                    {"bob@example.test", kNotifyNever, ""},
                    {"\xc3\xa9l\xc3\xa8ve@\xc3\xa9xample.test", 0, "utf-8;x"}};
    e.ret = DsnRet::Headers;
    e.envid = "env-42";
    e.body = BodyType::BinaryMime;
    e.smtputf8 = true;
    e.received_at = -12345678901;
    e.helo = "client.example.test";
    e.client_address = "2001:db8::1";
    e.auth_user = "carol";
    auto d = format::decode_envelope(format::encode_envelope(e));
    ASSERT_TRUE(d);
    EXPECT_EQ(d->mail_from, e.mail_from);
    ASSERT_EQ(d->recipients.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(d->recipients[i].address, e.recipients[i].address);
        EXPECT_EQ(d->recipients[i].notify, e.recipients[i].notify);
        EXPECT_EQ(d->recipients[i].orcpt, e.recipients[i].orcpt);
    }
    EXPECT_EQ(d->ret, e.ret);
    EXPECT_EQ(d->envid, e.envid);
    EXPECT_EQ(d->body, e.body);
    EXPECT_EQ(d->smtputf8, e.smtputf8);
    EXPECT_EQ(d->received_at, e.received_at);
    EXPECT_EQ(d->helo, e.helo);
    EXPECT_EQ(d->client_address, e.client_address);
    EXPECT_EQ(d->auth_user, e.auth_user);
}

TEST(Format, EnvelopeDecodeRejectsEveryTruncationAndTrailingBytes) {
    Envelope e;
    e.mail_from = "a@b.test";
    e.recipients = {{"c@d.test", 0, ""}};
    std::string bytes = format::encode_envelope(e);
    for (std::size_t n = 0; n < bytes.size(); ++n)
        EXPECT_FALSE(format::decode_envelope(std::string_view(bytes).substr(0, n))) << n;
    EXPECT_FALSE(format::decode_envelope(bytes + "x"));
    std::string bad = bytes;
    bad[0] = 2;  // unknown envelope version
    EXPECT_FALSE(format::decode_envelope(bad));
}

TEST(Format, RecordHeaderIsBoundToNonceAndOffset) {
    format::RecordHeader h;
    h.envelope_len = 10;
    h.envelope_crc = 1;
    h.body_len = 20;
    h.body_crc = 2;
    char buf[format::kRecordOverhead];
    format::encode_record_header(h, 77, 4096, buf);
    format::encode_record_trailer(h, buf + format::kRecordHeaderSize);
    auto d = format::decode_record_header(buf, 77, 4096);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->envelope_len, 10u);
    EXPECT_EQ(d->body_len, 20u);
    EXPECT_TRUE(format::check_record_trailer(*d, buf + format::kRecordHeaderSize));
    EXPECT_FALSE(format::decode_record_header(buf, 78, 4096));  // other segment
    EXPECT_FALSE(format::decode_record_header(buf, 77, 4097));  // other position
    for (std::size_t i = 0; i < format::kRecordHeaderSize; ++i) {
        char copy[format::kRecordHeaderSize];
        std::memcpy(copy, buf, sizeof copy);
        copy[i] ^= 0x10;
        EXPECT_FALSE(format::decode_record_header(copy, 77, 4096)) << i;
    }
}

TEST(Format, SegmentHeader) {
    std::string h = format::segment_header(0x2a, 0x1234);
    ASSERT_EQ(h.size(), format::kSegmentHeaderSize);
    EXPECT_TRUE(h.starts_with("TERNQ 1 seg=000000000000002a nonce=0000000000001234"));
    std::string err;
    auto p = format::parse_segment_header(h, err);
    ASSERT_TRUE(p) << err;
    EXPECT_EQ(p->segment, 0x2au);
    EXPECT_EQ(p->nonce, 0x1234u);
    std::string v2 = h;
    v2[6] = '2';
    EXPECT_FALSE(format::parse_segment_header(v2, err));
    EXPECT_NE(err.find("version"), std::string::npos) << err;
    EXPECT_FALSE(format::parse_segment_header(std::string(64, 'x'), err));
    EXPECT_EQ(format::segment_file_name(0x2a), "seg-000000000000002a.q");
    EXPECT_EQ(format::parse_segment_file_name("seg-000000000000002a.q"), 0x2au);
    EXPECT_FALSE(format::parse_segment_file_name("seg-00000000000002A.q"));
    EXPECT_FALSE(format::parse_segment_file_name("seg-000000000000002a.q.tmp"));
}

TEST(Format, StateRecordsRoundTripAndRejectDamage) {
    format::StateRecord r;
    r.type = format::StateType::Recipient;
    r.segment = 3;
    r.offset = 64;
    r.index = 2;
    r.state = {RecipientStatus::Deferred, 4, 1700000000, "451 4.4.1 no answer"};
    std::string buf;
    format::append_state_record(r, buf);
    std::size_t used = 0;
    auto d = format::decode_state_record(buf, used);
    ASSERT_TRUE(d);
    EXPECT_EQ(used, buf.size());
    EXPECT_EQ(d->segment, 3u);
    EXPECT_EQ(d->offset, 64u);
    EXPECT_EQ(d->index, 2u);
    EXPECT_EQ(d->state, r.state);
    for (std::size_t n = 0; n < buf.size(); ++n)
        EXPECT_FALSE(format::decode_state_record(std::string_view(buf).substr(0, n), used)) << n;
    for (std::size_t i = 0; i < buf.size(); ++i) {
        std::string bad = buf;
        bad[i] ^= 0x01;
        EXPECT_FALSE(format::decode_state_record(bad, used)) << i;
    }
}

TEST(Format, DelayNotifiedFlagRoundTripsAndOlderRecordsReadWithout) {
    format::StateRecord r;
    r.type = format::StateType::Recipient;
    r.segment = 3;
    r.offset = 64;
    r.index = 1;
    r.state = {RecipientStatus::Deferred, 2, 1700000000, "451 4.4.1 no answer", true};
    std::string buf;
    format::append_state_record(r, buf);
    std::size_t used = 0;
    auto d = format::decode_state_record(buf, used);
    ASSERT_TRUE(d);
    EXPECT_TRUE(d->state.delay_notified);
    EXPECT_EQ(d->state, r.state);

    // A version 2 record: the same payload without the flags byte, with its own length and CRC.
    std::string v2 = buf.substr(0, buf.size() - 1);
    format::put_u32(v2.data() + 4, static_cast<std::uint32_t>(v2.size() - format::kStateRecordHeaderSize));
    format::put_u32(v2.data() + 8, crc32c_extend(crc32c(v2.data() + 4, 4), v2.data() + format::kStateRecordHeaderSize,
                                                 v2.size() - format::kStateRecordHeaderSize));
    d = format::decode_state_record(v2, used);
    ASSERT_TRUE(d);
    EXPECT_EQ(used, v2.size());
    EXPECT_FALSE(d->state.delay_notified);
    EXPECT_EQ(d->state.last_error, "451 4.4.1 no answer");

    // Unknown flag bits are damage, not something to ignore.
    std::string bad = buf;
    bad.back() = 2;
    format::put_u32(bad.data() + 8, crc32c_extend(crc32c(bad.data() + 4, 4), bad.data() + format::kStateRecordHeaderSize,
                                                  bad.size() - format::kStateRecordHeaderSize));
    EXPECT_FALSE(format::decode_state_record(bad, used));
}

TEST(Format, HoldRecordsRoundTripAndRejectDamage) {
    for (bool held : {true, false}) {
        format::StateRecord r;
        r.type = format::StateType::Hold;
        r.segment = 7;
        r.offset = 4096;
        r.held = held;
        std::string buf;
        format::append_state_record(r, buf);
        std::size_t used = 0;
        auto d = format::decode_state_record(buf, used);
        ASSERT_TRUE(d);
        EXPECT_EQ(used, buf.size());
        EXPECT_EQ(d->type, format::StateType::Hold);
        EXPECT_EQ(d->segment, 7u);
        EXPECT_EQ(d->offset, 4096u);
        EXPECT_EQ(d->held, held);
        for (std::size_t n = 0; n < buf.size(); ++n)
            EXPECT_FALSE(format::decode_state_record(std::string_view(buf).substr(0, n), used)) << n;
    }
}

TEST(Format, StateLogHeaderVersions) {
    EXPECT_EQ(format::state_log_header_size("TERNS 3\nrest"), 8u);
    EXPECT_EQ(format::state_log_header_size("TERNS 2\n"), 8u);  // before the flags byte: still read
    EXPECT_EQ(format::state_log_header_size("TERNS 1\n"), 8u);  // before Hold records: still read
    EXPECT_EQ(format::state_log_header_size("TERNS 4\n"), 0u);
    EXPECT_EQ(format::state_log_header_size("TERNS 2"), 0u);
    EXPECT_EQ(format::state_log_header_size(""), 0u);
    EXPECT_EQ(format::kStateLogHeader, "TERNS 3\n");
}

TEST(Format, Ids) {
    EXPECT_EQ(format::make_id(0x2a, 0x40), "0000002a-00000040");
    auto p = format::parse_id("0000002a-00000040");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->segment, 0x2au);
    EXPECT_EQ(p->offset, 0x40u);
    EXPECT_FALSE(format::parse_id(""));
    EXPECT_FALSE(format::parse_id("2a"));
    EXPECT_FALSE(format::parse_id("2a-"));
    EXPECT_FALSE(format::parse_id("2a-40-1"));
    EXPECT_FALSE(format::parse_id("2A-40"));
    EXPECT_FALSE(format::parse_id("../x-40"));
}

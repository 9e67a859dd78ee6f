// The spool's on-disk format (see format.hpp for the layout).
#include "queue/format.hpp"

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "core/crc32c.hpp"

namespace tern::queue::format {

void put_u16(char* p, std::uint16_t v) {
    p[0] = static_cast<char>(v);
    p[1] = static_cast<char>(v >> 8);
}
void put_u32(char* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
void put_u64(char* p, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
}
std::uint16_t get_u16(const char* p) {
    return static_cast<std::uint16_t>(static_cast<unsigned char>(p[0]) |
                                      (static_cast<unsigned char>(p[1]) << 8));
}
std::uint32_t get_u32(const char* p) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}
std::uint64_t get_u64(const char* p) {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

namespace {

bool parse_hex64(std::string_view s, std::uint64_t& out) {
    if (s.empty() || s.size() > 16) return false;
    std::uint64_t v = 0;
    for (char c : s) {
        int d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else return false;
        v = (v << 4) | static_cast<std::uint64_t>(d);
    }
    out = v;
    return true;
}

std::uint32_t header_crc(std::uint64_t nonce, std::uint64_t offset, const char* header28) {
    char seed[16];
    put_u64(seed, nonce);
    put_u64(seed + 8, offset);
    return crc32c_extend(crc32c(seed, sizeof seed), header28, 28);
}

// ---- a bounds-checked reader for the envelope and state payloads
class Reader {
public:
    explicit Reader(std::string_view in) : in_(in) {}
    bool u8(std::uint8_t& v) {
        if (in_.size() < 1) return false;
        v = static_cast<std::uint8_t>(in_[0]);
        in_.remove_prefix(1);
        return true;
    }
    bool u32(std::uint32_t& v) {
        if (in_.size() < 4) return false;
        v = get_u32(in_.data());
        in_.remove_prefix(4);
        return true;
    }
    bool u64(std::uint64_t& v) {
        if (in_.size() < 8) return false;
        v = get_u64(in_.data());
        in_.remove_prefix(8);
        return true;
    }
    bool i64(std::int64_t& v) {
        std::uint64_t u;
        if (!u64(u)) return false;
        v = static_cast<std::int64_t>(u);
        return true;
    }
    bool str(std::string& v) {
        std::uint32_t n;
        if (!u32(n) || in_.size() < n) return false;
        v.assign(in_.data(), n);
        in_.remove_prefix(n);
        return true;
    }
    bool done() const { return in_.empty(); }

private:
    std::string_view in_;
};

void w_u8(std::string& out, std::uint8_t v) { out.push_back(static_cast<char>(v)); }
void w_u32(std::string& out, std::uint32_t v) {
    char b[4];
    put_u32(b, v);
    out.append(b, 4);
}
void w_u64(std::string& out, std::uint64_t v) {
    char b[8];
    put_u64(b, v);
    out.append(b, 8);
}
void w_str(std::string& out, std::string_view s) {
    w_u32(out, static_cast<std::uint32_t>(s.size()));
    out.append(s);
}

}  // namespace

// ---- segments

std::string segment_file_name(std::uint64_t segment) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "seg-%016" PRIx64 ".q", segment);
    return buf;
}

std::optional<std::uint64_t> parse_segment_file_name(std::string_view name) {
    if (name.size() != 22 || !name.starts_with("seg-") || !name.ends_with(".q")) return std::nullopt;
    std::uint64_t v;
    if (!parse_hex64(name.substr(4, 16), v)) return std::nullopt;
    return v;
}

std::string segment_header(std::uint64_t segment, std::uint64_t nonce) {
    char buf[kSegmentHeaderSize + 1];
    int n = std::snprintf(buf, sizeof buf, "TERNQ 1 seg=%016" PRIx64 " nonce=%016" PRIx64, segment,
                          nonce);
    std::string h(buf, static_cast<std::size_t>(n));
    h.resize(kSegmentHeaderSize - 1, ' ');
    h.push_back('\n');
    return h;
}

std::optional<SegmentHeader> parse_segment_header(std::string_view b, std::string& error) {
    if (b.size() != kSegmentHeaderSize || !b.starts_with("TERNQ ")) {
        error = "not a Tern spool segment (no \"TERNQ\" header)";
        return std::nullopt;
    }
    std::string_view rest = b.substr(6);
    std::size_t sp = rest.find(' ');
    std::string_view version = rest.substr(0, std::min(sp, rest.find('\n')));
    if (version != "1") {
        error = "unsupported spool format version \"" + std::string(version.substr(0, 16)) +
                "\" (this build reads version 1)";
        return std::nullopt;
    }
    // "TERNQ 1 seg=<16> nonce=<16>" then spaces and '\n'
    SegmentHeader h;
    if (b.substr(8, 4) != "seg=" || b.substr(28, 7) != " nonce=" ||
        !parse_hex64(b.substr(12, 16), h.segment) || !parse_hex64(b.substr(35, 16), h.nonce) ||
        b.back() != '\n' || b.substr(51, kSegmentHeaderSize - 52).find_first_not_of(' ') !=
                                std::string_view::npos) {
        error = "malformed segment header";
        return std::nullopt;
    }
    return h;
}

// ---- message records

void encode_record_header(RecordHeader& h, std::uint64_t nonce, std::uint64_t offset, char* out) {
    std::memcpy(out, kRecordMagic, 4);
    out[4] = static_cast<char>(kVersion);
    out[5] = static_cast<char>(kTypeMessage);
    put_u16(out + 6, 0);
    put_u32(out + 8, h.envelope_len);
    put_u32(out + 12, h.envelope_crc);
    put_u64(out + 16, h.body_len);
    put_u32(out + 24, h.body_crc);
    h.header_crc = header_crc(nonce, offset, out);
    put_u32(out + 28, h.header_crc);
}

void encode_record_trailer(const RecordHeader& h, char* out) {
    std::memcpy(out, kTrailerMagic, 4);
    put_u32(out + 4, h.header_crc);
    put_u64(out + 8, h.record_len());
}

std::optional<RecordHeader> decode_record_header(const char* in, std::uint64_t nonce,
                                                 std::uint64_t offset) {
    if (std::memcmp(in, kRecordMagic, 4) != 0 || static_cast<std::uint8_t>(in[4]) != kVersion ||
        static_cast<std::uint8_t>(in[5]) != kTypeMessage || get_u16(in + 6) != 0)
        return std::nullopt;
    RecordHeader h;
    h.envelope_len = get_u32(in + 8);
    h.envelope_crc = get_u32(in + 12);
    h.body_len = get_u64(in + 16);
    h.body_crc = get_u32(in + 24);
    h.header_crc = get_u32(in + 28);
    if (h.header_crc != header_crc(nonce, offset, in)) return std::nullopt;
    if (h.envelope_len > kMaxEnvelope || h.body_len > (1ull << 48)) return std::nullopt;
    return h;
}

bool check_record_trailer(const RecordHeader& h, const char* in) {
    return std::memcmp(in, kTrailerMagic, 4) == 0 && get_u32(in + 4) == h.header_crc &&
           get_u64(in + 8) == h.record_len();
}

// ---- envelopes

std::string encode_envelope(const Envelope& e) {
    std::string out;
    std::size_t n = 64 + e.mail_from.size() + e.envid.size() + e.helo.size() +
                    e.client_address.size() + e.auth_user.size();
    for (const auto& r : e.recipients) n += 16 + r.address.size() + r.orcpt.size();
    out.reserve(n);
    w_u8(out, 1);
    w_str(out, e.mail_from);
    w_u8(out, static_cast<std::uint8_t>(e.ret));
    w_str(out, e.envid);
    w_u8(out, static_cast<std::uint8_t>(e.body));
    w_u8(out, e.smtputf8 ? 1 : 0);
    w_u64(out, static_cast<std::uint64_t>(e.received_at));
    w_str(out, e.helo);
    w_str(out, e.client_address);
    w_str(out, e.auth_user);
    w_u32(out, static_cast<std::uint32_t>(e.recipients.size()));
    for (const auto& r : e.recipients) {
        w_str(out, r.address);
        w_u8(out, r.notify);
        w_str(out, r.orcpt);
    }
    return out;
}

std::optional<Envelope> decode_envelope(std::string_view bytes) {
    Reader r(bytes);
    Envelope e;
    std::uint8_t version, ret, body, utf8;
    std::uint32_t count;
    if (!r.u8(version) || version != 1 || !r.str(e.mail_from) || !r.u8(ret) || ret > 2 ||
        !r.str(e.envid) || !r.u8(body) || body > 3 || !r.u8(utf8) || utf8 > 1 ||
        !r.i64(e.received_at) || !r.str(e.helo) || !r.str(e.client_address) ||
        !r.str(e.auth_user) || !r.u32(count) || count > bytes.size())
        return std::nullopt;
    e.ret = static_cast<DsnRet>(ret);
    e.body = static_cast<BodyType>(body);
    e.smtputf8 = utf8 == 1;
    e.recipients.resize(count);
    for (auto& rc : e.recipients)
        if (!r.str(rc.address) || !r.u8(rc.notify) || !r.str(rc.orcpt)) return std::nullopt;
    if (!r.done()) return std::nullopt;
    return e;
}

// ---- state log

void append_state_record(const StateRecord& r, std::string& out) {
    std::string payload;
    w_u8(payload, static_cast<std::uint8_t>(r.type));
    w_u64(payload, r.segment);
    w_u64(payload, r.offset);
    if (r.type == StateType::Recipient) {
        w_u32(payload, r.index);
        w_u8(payload, static_cast<std::uint8_t>(r.state.status));
        w_u32(payload, r.state.attempts);
        w_u64(payload, static_cast<std::uint64_t>(r.state.next_attempt));
        w_str(payload, r.state.last_error.substr(0, 4096));
        w_u8(payload, r.state.delay_notified ? 1 : 0);
    } else if (r.type == StateType::Hold) {
        w_u8(payload, r.held ? 1 : 0);
    }
    char head[kStateRecordHeaderSize];
    std::memcpy(head, kStateMagic, 4);
    put_u32(head + 4, static_cast<std::uint32_t>(payload.size()));
    put_u32(head + 8, crc32c_extend(crc32c(head + 4, 4), payload.data(), payload.size()));
    out.append(head, sizeof head);
    out.append(payload);
}

std::optional<StateRecord> decode_state_record(std::string_view in, std::size_t& consumed) {
    if (in.size() < kStateRecordHeaderSize || std::memcmp(in.data(), kStateMagic, 4) != 0)
        return std::nullopt;
    std::uint32_t len = get_u32(in.data() + 4);
    if (len > kMaxStatePayload || in.size() - kStateRecordHeaderSize < len) return std::nullopt;
    std::string_view payload = in.substr(kStateRecordHeaderSize, len);
    if (get_u32(in.data() + 8) !=
        crc32c_extend(crc32c(in.data() + 4, 4), payload.data(), payload.size()))
        return std::nullopt;
    Reader r(payload);
    StateRecord rec;
    std::uint8_t type;
    if (!r.u8(type) || type < 1 || type > 5 || !r.u64(rec.segment) || !r.u64(rec.offset))
        return std::nullopt;
    rec.type = static_cast<StateType>(type);
    if (rec.type == StateType::Recipient) {
        std::uint8_t status;
        if (!r.u32(rec.index) || !r.u8(status) || status > 3 || !r.u32(rec.state.attempts) ||
            !r.i64(rec.state.next_attempt) || !r.str(rec.state.last_error))
            return std::nullopt;
        rec.state.status = static_cast<RecipientStatus>(status);
        // Versions 1 and 2 end here; version 3 adds the flags byte.
        if (!r.done()) {
            std::uint8_t flags;
            if (!r.u8(flags) || flags > 1) return std::nullopt;
            rec.state.delay_notified = flags == 1;
        }
    } else if (rec.type == StateType::Hold) {
        std::uint8_t held;
        if (!r.u8(held) || held > 1) return std::nullopt;
        rec.held = held == 1;
    }
    if (!r.done()) return std::nullopt;
    consumed = kStateRecordHeaderSize + len;
    return rec;
}

std::size_t state_log_header_size(std::string_view bytes) {
    if (bytes.starts_with(kStateLogHeader)) return kStateLogHeader.size();
    if (bytes.starts_with(kStateLogHeaderV2)) return kStateLogHeaderV2.size();
    if (bytes.starts_with(kStateLogHeaderV1)) return kStateLogHeaderV1.size();
    return 0;
}

// ---- ids

std::string make_id(std::uint64_t segment, std::uint64_t offset) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08" PRIx64 "-%08" PRIx64, segment, offset);
    return buf;
}

std::optional<IdParts> parse_id(std::string_view id) {
    std::size_t dash = id.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    IdParts p;
    if (!parse_hex64(id.substr(0, dash), p.segment) || !parse_hex64(id.substr(dash + 1), p.offset))
        return std::nullopt;
    return p;
}

}  // namespace tern::queue::format

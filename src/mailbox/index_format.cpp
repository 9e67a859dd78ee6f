// The folder index's byte format: see index_format.hpp.
#include "mailbox/index_format.hpp"

#include <cstring>
#include <utility>

#include "core/crc32c.hpp"

namespace tern::mailbox::index_format {
namespace {

enum : std::uint8_t { kState = 1, kAdd = 2, kFlags = 3, kExpunge = 4, kExpunged = 5, kDirs = 6 };

void put_u32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}
void put_u64(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
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

std::uint32_t batch_crc(std::uint64_t nonce, std::uint64_t offset, std::uint32_t length, std::string_view payload) {
    std::string seed;
    seed.reserve(20);
    put_u64(seed, nonce);
    put_u64(seed, offset);
    put_u32(seed, length);
    auto crc = crc32c(seed.data(), seed.size());
    return crc32c_extend(crc, payload.data(), payload.size());
}

// Reads entries; every accessor fails (sets bad_) instead of running past the end.
class Reader {
public:
    explicit Reader(std::string_view in) : in_(in) {}
    bool done() const { return pos_ >= in_.size(); }
    bool bad() const { return bad_; }
    std::uint8_t byte() {
        if (pos_ >= in_.size()) return fail(), 0;
        return static_cast<std::uint8_t>(in_[pos_++]);
    }
    std::uint64_t varint() {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos_ >= in_.size()) return fail(), 0;
            auto b = static_cast<std::uint8_t>(in_[pos_++]);
            v |= std::uint64_t{b & 0x7Fu} << shift;
            if ((b & 0x80) == 0) return v;
        }
        return fail(), 0;
    }
    std::uint32_t u32() {
        auto v = varint();
        if (v > UINT32_MAX) fail();
        return static_cast<std::uint32_t>(v);
    }
    std::int64_t svarint() {
        auto v = varint();
        return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1);
    }
    std::string str() {
        auto n = varint();
        if (bad_ || n > in_.size() - pos_) return fail(), std::string();
        std::string s(in_.substr(pos_, n));
        pos_ += n;
        return s;
    }

    void fail() { bad_ = true; pos_ = in_.size(); }

private:
    std::string_view in_;
    std::size_t pos_ = 0;
    bool bad_ = false;
};

void read_keywords(Reader& r, Flags& flags) {
    auto n = r.varint();
    if (n > kMaxKeywordsPerMessage) return r.fail();
    for (std::uint64_t i = 0; i < n && !r.bad(); ++i) flags.keywords.push_back(r.str());
}

}  // namespace

std::string encode_header(const Header& h, std::string_view magic) {
    std::string out(magic.substr(0, 8));
    put_u32(out, kVersion);
    put_u32(out, h.uidvalidity);
    put_u64(out, h.nonce);
    put_u32(out, 0);
    put_u32(out, crc32c(out.data(), out.size()));
    return out;
}

std::optional<Header> parse_header(std::string_view b, std::string_view magic) {
    if (b.size() < kHeaderSize || b.substr(0, 8) != magic.substr(0, 8)) return std::nullopt;
    if (get_u32(b.data() + 28) != crc32c(b.data(), 28)) return std::nullopt;
    if (get_u32(b.data() + 8) != kVersion) return std::nullopt;
    return Header{get_u32(b.data() + 12), get_u64(b.data() + 16)};
}

std::optional<std::string> frame_batch(std::uint64_t nonce, std::uint64_t offset, std::string_view payload) {
    if (payload.empty() || payload.size() > kMaxBatch) return std::nullopt;
    std::string out;
    out.reserve(kBatchHeaderSize + payload.size());
    auto len = static_cast<std::uint32_t>(payload.size());
    put_u32(out, len);
    put_u32(out, batch_crc(nonce, offset, len, payload));
    out.append(payload);
    return out;
}

std::optional<std::string_view> batch_at(std::string_view image, std::uint64_t nonce, std::uint64_t at) {
    if (at + kBatchHeaderSize > image.size()) return std::nullopt;
    auto len = get_u32(image.data() + at);
    if (len == 0 || len > kMaxBatch || at + kBatchHeaderSize + len > image.size()) return std::nullopt;
    auto payload = image.substr(at + kBatchHeaderSize, len);
    if (get_u32(image.data() + at + 4) != batch_crc(nonce, at, len, payload)) return std::nullopt;
    return payload;
}

// ---- EntryWriter

void EntryWriter::varint(std::uint64_t v) {
    while (v >= 0x80) {
        buf_ += static_cast<char>((v & 0x7F) | 0x80);
        v >>= 7;
    }
    buf_ += static_cast<char>(v);
}
void EntryWriter::svarint(std::int64_t v) {
    varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
}
void EntryWriter::str(std::string_view s) {
    varint(s.size());
    buf_.append(s);
}
void EntryWriter::keywords(const std::vector<std::string>& kws) {
    varint(kws.size());
    for (const auto& k : kws) str(k);
}

void EntryWriter::state(std::uint32_t uidnext, std::uint64_t highestmodseq) {
    buf_ += static_cast<char>(kState);
    varint(uidnext);
    varint(highestmodseq);
}

void EntryWriter::add(const MessageRecord& r) {
    buf_ += static_cast<char>(kAdd);
    varint(r.uid);
    varint(r.modseq);
    buf_ += static_cast<char>(r.flags.system);
    svarint(r.internal_date);
    varint(r.rfc822_size);
    varint(r.disk_size);
    str(r.base);
    str(r.extra_info);
    keywords(r.flags.keywords);
}

void EntryWriter::flags(const MessageRecord& r) {
    buf_ += static_cast<char>(kFlags);
    varint(r.uid);
    varint(r.modseq);
    buf_ += static_cast<char>(r.flags.system);
    str(r.extra_info);
    keywords(r.flags.keywords);
}

void EntryWriter::expunge(std::uint64_t modseq, const std::vector<std::uint32_t>& uids) {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;
    for (auto u : uids) {
        if (!ranges.empty() && std::uint64_t{ranges.back().second} + 1 == u)
            ranges.back().second = u;
        else
            ranges.emplace_back(u, u);
    }
    buf_ += static_cast<char>(kExpunge);
    varint(modseq);
    varint(ranges.size());
    for (auto [first, last] : ranges) {
        varint(first);
        varint(last);
    }
}

void EntryWriter::expunged(const ExpungedRange& r) {
    buf_ += static_cast<char>(kExpunged);
    varint(r.first);
    varint(r.last);
    varint(r.modseq);
}

void EntryWriter::dirs(const DirStamps& d) {
    buf_ += static_cast<char>(kDirs);
    svarint(d.new_ns);
    svarint(d.cur_ns);
}

// ---- reading

bool is_valid_base(std::string_view base) {
    if (base.empty() || base.size() > kMaxBaseLength || base.front() == '.') return false;
    for (char c : base)
        if (c == '/' || c == ':' || c == '\0') return false;
    return true;
}

bool apply_batch(std::string_view payload, SnapshotEditor& st, DirStamps& dirs) {
    Reader r(payload);
    while (!r.done()) {
        switch (r.byte()) {
            case kState: {
                auto uidnext = r.u32();
                auto modseq = r.varint();
                if (r.bad() || uidnext < st.uidnext()) return false;
                st.raise_uidnext(uidnext);
                st.raise_modseq(modseq);
                break;
            }
            case kAdd: {
                MessageRecord m;
                m.uid = r.u32();
                m.modseq = r.varint();
                m.flags.system = r.byte() & flag::kAll;
                m.internal_date = r.svarint();
                m.rfc822_size = r.varint();
                m.disk_size = r.varint();
                m.base = r.str();
                m.extra_info = r.str();
                read_keywords(r, m.flags);
                if (r.bad() || m.uid == 0 || m.uid == UINT32_MAX || !is_valid_base(m.base) ||
                    !st.add(std::move(m)))
                    return false;
                break;
            }
            case kFlags: {
                auto uid = r.u32();
                auto modseq = r.varint();
                std::uint8_t system = r.byte() & flag::kAll;
                auto extra = r.str();
                Flags f;
                f.system = system;
                read_keywords(r, f);
                if (r.bad()) return false;
                if (const auto* old = st.find(uid)) {
                    MessageRecord m = *old;
                    m.modseq = modseq;
                    m.flags = std::move(f);
                    m.extra_info = std::move(extra);
                    st.update(std::move(m));
                }
                st.raise_modseq(modseq);
                break;
            }
            case kExpunge: {
                auto modseq = r.varint();
                auto n = r.varint();
                std::vector<std::uint32_t> uids;
                for (std::uint64_t i = 0; i < n && !r.bad(); ++i) {
                    auto first = r.u32();
                    auto last = r.u32();
                    if (last < first) return false;
                    // The set records the whole range; the messages still there are removed.
                    st.add_expunged({first, last, modseq});
                    const auto& msgs = st.messages();
                    for (auto i = msgs.lower_index(first); i < msgs.size() && msgs[i].uid <= last; ++i)
                        uids.push_back(msgs[i].uid);
                }
                if (r.bad()) return false;
                st.expunge(std::move(uids), modseq);
                st.raise_modseq(modseq);
                break;
            }
            case kExpunged: {
                ExpungedRange e;
                e.first = r.u32();
                e.last = r.u32();
                e.modseq = r.varint();
                if (r.bad() || e.last < e.first) return false;
                st.add_expunged(e);
                break;
            }
            case kDirs: {
                DirStamps d;
                d.new_ns = r.svarint();
                d.cur_ns = r.svarint();
                if (r.bad()) return false;
                dirs = d;
                break;
            }
            default: return false;
        }
        if (r.bad()) return false;
    }
    return true;
}

std::vector<std::string> snapshot_payloads(const Snapshot& s, const DirStamps& dirs) {
    std::vector<std::string> out;
    EntryWriter w;
    w.dirs(dirs);
    for (const auto& e : s.expunged->ranges()) {
        w.expunged(e);
        if (w.size() >= kSnapshotBatchBytes) out.push_back(w.take());
    }
    for (const auto& m : s.messages) {
        w.add(m);
        if (w.size() >= kSnapshotBatchBytes) out.push_back(w.take());
    }
    w.state(s.uidnext, s.highestmodseq);
    out.push_back(w.take());
    return out;
}

Parsed parse_image(std::string_view image) {
    Parsed p;
    auto header = parse_header(image);
    if (!header) {
        p.kind = Parsed::Kind::Unreadable;
        p.error = "bad index header";
        return p;
    }
    p.header = *header;
    SnapshotEditor st(header->uidvalidity);
    std::uint64_t off = kHeaderSize;
    while (off < image.size()) {
        auto payload = batch_at(image, header->nonce, off);
        if (!payload) {
            // Torn unless a valid batch starts at some later offset: then the middle is damaged
            // (the CRC binds nonce and offset, so a stray match is a 2^-32 chance per offset).
            for (std::uint64_t at = off + 1; at + kBatchHeaderSize < image.size(); ++at) {
                if (batch_at(image, header->nonce, at)) {
                    p.kind = Parsed::Kind::Unreadable;
                    p.error = "damaged index batch at offset " + std::to_string(off);
                    return p;
                }
            }
            break;
        }
        if (!apply_batch(*payload, st, p.dirs)) {
            p.kind = Parsed::Kind::Unreadable;
            p.error = "inconsistent index batch at offset " + std::to_string(off);
            return p;
        }
        off += kBatchHeaderSize + payload->size();
    }
    p.good_length = off;
    p.torn_bytes = image.size() - off;
    p.snapshot = std::move(st).finish();
    return p;
}

}  // namespace tern::mailbox::index_format

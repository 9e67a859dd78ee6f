// The spool's on-disk format, version 1: segment header, message records, envelope encoding,
// state-log records and message ids. Pure functions on bytes; no I/O (spool.cpp does that).
//
// Message record at offset `off` of a segment (all integers little-endian):
//   0  "TQMR"               4  u8 version (1)        5  u8 type (1 = message)   6  u16 zero
//   8  u32 envelope_len    12  u32 CRC32C(envelope)
//  16  u64 body_len        24  u32 CRC32C(body)
//  28  u32 header_crc = CRC32C(nonce as u64 || off as u64 || bytes 0..27)
//  32  envelope (envelope_len bytes)   32+E  body (body_len bytes)
//  32+E+B  end marker: "TQME", u32 header_crc, u64 record_len (= 48 + E + B)
// The header CRC binds a record to its segment (nonce) and position, so a stale or embedded
// copy never validates; the end marker repeats it, so it belongs to exactly this record.
//
// Envelope encoding: u8 version (1), then str mail_from, u8 ret, str envid, u8 body,
// u8 smtputf8, i64 received_at, str helo, str client_address, str auth_user,
// u32 recipient count, per recipient: str address, u8 notify, str orcpt; str = u32 len + bytes.
//
// State log: the header line "TERNS <version>\n", then records. Version 2 (written by this build)
// added the Hold record; version 3 (written by this build) adds a flags byte at the end of the
// Recipient record. Older logs (no Hold records, no flags byte) are read as before and rewritten
// in the current version by the compaction at open. A build that knows only an older version
// refuses a newer log ("unsupported state log version") instead of silently dropping the
// records it cannot read.
// State-log record: "TQSR", u32 payload_len, u32 CRC32C(payload_len as u32 || payload), then
// payload: u8 type, u64 segment, u64 offset (Seal: the good length), and
//   type Recipient (1): u32 index, u8 status, u32 attempts, i64 next_attempt, str last_error,
//                       (version 3) u8 flags: bit 0 = a delay DSN went out, other bits 0;
//   type Hold (5, version 2): u8 held (0 = released, 1 = on hold);
//   types Done (2), Removed (3), Seal (4): nothing more.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/envelope.hpp"
#include "queue/spool.hpp"

namespace tern::queue::format {

inline constexpr std::size_t kSegmentHeaderSize = 64;
inline constexpr std::size_t kRecordHeaderSize = 32;
inline constexpr std::size_t kRecordTrailerSize = 16;
inline constexpr std::size_t kRecordOverhead = kRecordHeaderSize + kRecordTrailerSize;
inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::uint8_t kTypeMessage = 1;
inline constexpr char kRecordMagic[4] = {'T', 'Q', 'M', 'R'};
inline constexpr char kTrailerMagic[4] = {'T', 'Q', 'M', 'E'};
inline constexpr char kStateMagic[4] = {'T', 'Q', 'S', 'R'};
inline constexpr std::string_view kStateLogHeader = "TERNS 3\n";     // written
inline constexpr std::string_view kStateLogHeaderV2 = "TERNS 2\n";   // still read
inline constexpr std::string_view kStateLogHeaderV1 = "TERNS 1\n";   // still read
inline constexpr std::size_t kStateRecordHeaderSize = 12;
// Sanity bounds: larger values can only come from corruption.
inline constexpr std::uint32_t kMaxEnvelope = 64u << 20;
inline constexpr std::uint32_t kMaxStatePayload = 1u << 20;

// ---- little-endian helpers
void put_u16(char* p, std::uint16_t v);
void put_u32(char* p, std::uint32_t v);
void put_u64(char* p, std::uint64_t v);
std::uint16_t get_u16(const char* p);
std::uint32_t get_u32(const char* p);
std::uint64_t get_u64(const char* p);

// ---- segments
std::string segment_file_name(std::uint64_t segment);  // "seg-000000000000002a.q"
std::optional<std::uint64_t> parse_segment_file_name(std::string_view name);
std::string segment_header(std::uint64_t segment, std::uint64_t nonce);  // kSegmentHeaderSize

struct SegmentHeader {
    std::uint64_t segment = 0;
    std::uint64_t nonce = 0;
};
// Parses exactly kSegmentHeaderSize bytes; nullopt with `error` naming the problem.
std::optional<SegmentHeader> parse_segment_header(std::string_view bytes, std::string& error);

// ---- message records
struct RecordHeader {
    std::uint32_t envelope_len = 0;
    std::uint32_t envelope_crc = 0;
    std::uint64_t body_len = 0;
    std::uint32_t body_crc = 0;
    std::uint32_t header_crc = 0;  // filled by encode/decode

    std::uint64_t record_len() const { return kRecordOverhead + envelope_len + body_len; }
};
// Writes kRecordHeaderSize bytes to `out` and sets h.header_crc.
void encode_record_header(RecordHeader& h, std::uint64_t nonce, std::uint64_t offset, char* out);
// Writes kRecordTrailerSize bytes to `out` (h.header_crc must be set).
void encode_record_trailer(const RecordHeader& h, char* out);
// Checks magic, version, type and header CRC of kRecordHeaderSize bytes at `in`.
std::optional<RecordHeader> decode_record_header(const char* in, std::uint64_t nonce,
                                                 std::uint64_t offset);
bool check_record_trailer(const RecordHeader& h, const char* in);

// ---- envelopes
std::string encode_envelope(const Envelope& e);
std::optional<Envelope> decode_envelope(std::string_view bytes);

// ---- state log
enum class StateType : std::uint8_t { Recipient = 1, Done = 2, Removed = 3, Seal = 4, Hold = 5 };
struct StateRecord {
    StateType type = StateType::Recipient;
    std::uint64_t segment = 0;
    std::uint64_t offset = 0;  // record offset; for Seal the segment's good length
    std::uint32_t index = 0;   // Recipient only
    RecipientState state;      // Recipient only
    bool held = false;         // Hold only
};
// The length of the state log header at the start of `bytes` when it is one this build reads
// (version 1 or 2); 0 otherwise.
std::size_t state_log_header_size(std::string_view bytes);
// Appends one framed record to `out`.
void append_state_record(const StateRecord& r, std::string& out);
// Decodes the framed record at the start of `in`; sets `consumed`. nullopt when incomplete
// or corrupt.
std::optional<StateRecord> decode_state_record(std::string_view in, std::size_t& consumed);

// ---- message ids: "<segment hex>-<offset hex>", at least 8 digits each
std::string make_id(std::uint64_t segment, std::uint64_t offset);
struct IdParts {
    std::uint64_t segment = 0;
    std::uint64_t offset = 0;
};
std::optional<IdParts> parse_id(std::string_view id);

}  // namespace tern::queue::format

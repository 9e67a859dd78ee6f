// What a DNS lookup returns to the mail code: a three-way status (RFC 5321 5.1 needs to tell
// "this name does not exist" from "try again later"), the records, and whether DNSSEC
// validated them.
#pragma once

#include <asio/ip/address.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tern::dns {

enum class Status {
    Ok,        // records in the answer
    NotFound,  // NXDOMAIN or NODATA (the name exists without records of this type)
    TempFail,  // SERVFAIL, REFUSED, DNSSEC bogus, malformed answer, timeout, network, stopped
};

std::string_view to_string(Status status);

struct MxRecord {
    std::uint16_t preference = 0;
    std::string host;  // lowercase, no trailing dot; "" for the root name (RFC 7505 Null MX)
    bool operator==(const MxRecord&) const = default;
};

struct MxAnswer {
    Status status = Status::TempFail;
    std::vector<MxRecord> records;
    std::string error;    // why, when not Ok; names the domain
    bool secure = false;  // DNSSEC-validated (only ever true with a trust anchor configured)
};

struct AddressAnswer {
    Status status = Status::TempFail;
    std::vector<asio::ip::address> addresses;  // IPv6 (AAAA) first, then IPv4 (A)
    std::string error;    // why, when not Ok; with Ok, a failed half (e.g. AAAA timed out)
    bool secure = false;  // both the AAAA and the A answer were DNSSEC-validated
};

enum class AddressFamily { Ipv4, Ipv6 };

// Bounds on what one TXT answer may hold. Past them the answer is TempFail, not truncated:
// dropping records could hide the one SPF or DMARC record and turn "fail" into "none".
inline constexpr std::size_t kMaxTxtRecords = 64;
inline constexpr std::size_t kMaxTxtBytes = 64 * 1024;  // all records' text together

struct TxtAnswer {
    Status status = Status::TempFail;
    // Each TXT record, its character-strings concatenated (RFC 7208 3.3, RFC 6376 3.6.2.2).
    // Raw bytes, as served: may hold NUL, control or non-ASCII bytes; the caller parses.
    std::vector<std::string> records;
    std::string error;    // why, when not Ok; names the name
    bool secure = false;  // DNSSEC-validated
};

// Bound on the names of one PTR answer; the rest are dropped (RFC 7208 4.6.4 looks at 10).
inline constexpr std::size_t kMaxPtrNames = 16;

struct NameAnswer {
    Status status = Status::TempFail;
    std::vector<std::string> names;  // lowercase, no trailing dot
    std::string error;    // why, when not Ok; names the address
    bool secure = false;  // DNSSEC-validated
};

}  // namespace tern::dns

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

}  // namespace tern::dns

// The BDAT chunk reader (RFC 3030 2): exactly the declared number of octets is content,
// whatever it contains; there is no end marker and no dot-stuffing. A chunk that the session
// refused (bad sequence, failed transaction) is still read, into nothing, so the stream stays
// framed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "smtp/message_sink.hpp"

namespace tern::smtp {

class BdatReader {
public:
    void start(std::uint64_t octets) { remaining_ = octets; }
    // Consumes up to the remaining octets of the chunk; `sink` may be null to discard them.
    std::size_t consume(std::string_view input, MessageSink* sink);
    bool done() const { return remaining_ == 0; }
    std::uint64_t remaining() const { return remaining_; }

private:
    std::uint64_t remaining_ = 0;
};

}  // namespace tern::smtp

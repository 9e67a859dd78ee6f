// CRC-32C (Castagnoli, polynomial 0x1EDC6F41, RFC 3720 B.4), the checksum of spool records and mailbox indexes.
// Chosen over CRC-32 (zlib) for its better error detection on storage-sized blocks and the
// SSE4.2 instruction that computes it at memory speed; a slicing-by-8 table is the fallback.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tern {

// Continues a CRC: crc32c_extend(crc32c(a), b) == crc32c(a || b). Start with 0.
std::uint32_t crc32c_extend(std::uint32_t crc, const void* data, std::size_t size);

// The table-driven path alone (what crc32c_extend falls back to without SSE4.2); for tests.
std::uint32_t crc32c_portable(std::uint32_t crc, const void* data, std::size_t size);

inline std::uint32_t crc32c(const void* data, std::size_t size) {
    return crc32c_extend(0, data, size);
}

}  // namespace tern

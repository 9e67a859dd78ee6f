// The rendered ENVELOPE, BODY and BODYSTRUCTURE of one message, as the session keeps them in
// the backend's per-message cache (SelectedFolder::cached / store_cached), so a FETCH of those
// items parses each message once instead of on every FETCH (a whole-folder FETCH ENVELOPE
// BODYSTRUCTURE used to read and parse every message, attachments included).
//
// Encoding, one opaque value: a version byte (kFetchCacheVersion), then six fields, each a
// varint length and the bytes: ENVELOPE, BODY, BODYSTRUCTURE as rendered without UTF-8, then
// the same three as rendered for a UTF-8 client (UTF8=ACCEPT / IMAP4rev2), each empty when it
// is the same as the first (no non-ASCII string in it, the usual case). Rendering never yields
// an empty item, so "empty" is unambiguous. decode() refuses another version, a truncated or
// overlong field, trailing bytes or an empty first-three field: such a value is ignored and
// the message parsed again, so changing the rendering only needs a new version number.
// A value over the store's limit (mailbox::kMaxCacheValue, 64 KiB: only messages with
// hundreds of parts) is not kept, and such a message is parsed on every FETCH as before.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mime/message.hpp"

namespace tern::imap {

inline constexpr std::uint8_t kFetchCacheVersion = 1;

enum class CachedItem : std::uint8_t { Envelope, Body, BodyStructure };

class FetchRendering {
public:
    static FetchRendering render(const mime::ParsedMessage& message);
    static std::optional<FetchRendering> decode(std::string value);

    const std::string& encoded() const { return data_; }
    std::string_view item(CachedItem which, bool utf8) const;

private:
    struct Span {
        std::size_t pos = 0, len = 0;
    };
    std::string data_;
    std::array<Span, 6> fields_{};
};

}  // namespace tern::imap

// Line-ending conversion and <partial>: see crlf.hpp.
#include "mime/crlf.hpp"

#include <cstring>

namespace tern::mime {

std::uint64_t crlf_size(std::string_view bytes) {
    std::uint64_t size = bytes.size();
    const char* p = bytes.data();
    const char* end = p + bytes.size();
    while (p < end) {
        const void* lf = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
        if (!lf) break;
        const char* at = static_cast<const char*>(lf);
        if (at == bytes.data() || at[-1] != '\r') ++size;
        p = at + 1;
    }
    return size;
}

bool is_crlf(std::string_view bytes) { return crlf_size(bytes) == bytes.size(); }

std::string to_crlf(std::string_view bytes) {
    std::string out;
    // One pass: room for a line end every 32 octets; longer lines need no more, shorter
    // ones grow the string once or twice.
    out.reserve(bytes.size() + bytes.size() / 32 + 16);
    const char* p = bytes.data();
    const char* end = p + bytes.size();
    while (p < end) {
        const void* lf = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
        if (!lf) {
            out.append(p, end);
            break;
        }
        const char* at = static_cast<const char*>(lf);
        out.append(p, at);
        if (at == bytes.data() || at[-1] != '\r') out.push_back('\r');
        out.push_back('\n');
        p = at + 1;
    }
    return out;
}

std::string_view partial(std::string_view data, std::uint64_t start,
                         std::optional<std::uint64_t> length) {
    if (start >= data.size()) return {};
    data.remove_prefix(static_cast<std::size_t>(start));
    if (length && *length < data.size()) data = data.substr(0, static_cast<std::size_t>(*length));
    return data;
}

}  // namespace tern::mime
